package io.aepstreams.streams.topics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.aepstreams.model.bundle.Manifest;
import io.aepstreams.streams.config.AppConfig;
import io.aepstreams.streams.config.StageRange;
import io.aepstreams.streams.topology.TinyBundle;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TopicPlanTest {
  @TempDir static Path dir;
  static Manifest manifest;
  static AppConfig config;

  @BeforeAll
  static void bundle() {
    TinyBundle bundle = TinyBundle.write(dir.resolve("tiny"));
    manifest = bundle.manifest;
    config = AppConfig.from(Map.of(AppConfig.MODEL, bundle.dir.toString(), AppConfig.MAX_PAYLOAD_BYTES, "100000"));
  }

  private static long tensorBytes(int stage) {
    return manifest.stage(stage).inputShape().stream().mapToLong(Long::longValue).reduce(1, (a, b) -> a * b) * 4;
  }

  @Test
  void everyTopicOfEverySplitWithItsLargestRecord() {
    List<TopicNeed> all = TopicPlan.all(config, manifest);
    assertEquals(List.of("aep.images", "aep.classifications", "aep.stage-2", "aep.stage-3", "aep.stage-4", "aep.dlq"),
        all.stream().map(TopicNeed::name).toList());
    assertEquals(100_000 + TopicPlan.RECORD_OVERHEAD, all.get(0).maxMessageBytes(), "the largest accepted payload");
    for (int stage = 2; stage <= 4; stage++) {
      assertEquals(tensorBytes(stage) + TopicPlan.RECORD_OVERHEAD, all.get(stage).maxMessageBytes(), "stage " + stage);
    }
    long largest = all.subList(0, 5).stream().mapToLong(TopicNeed::maxMessageBytes).max().orElseThrow();
    assertEquals(largest, all.get(5).maxMessageBytes(), "dead letters keep the failed record whole");
  }

  @Test
  void anInstanceNeedsItsInputItsOutputsAndTheDeadLetterQueue() {
    assertEquals(List.of("aep.images", "aep.classifications", "aep.stage-2", "aep.dlq"),
        names(TopicPlan.forInstance(config, manifest, new StageRange(1, 1))));
    assertEquals(List.of("aep.stage-2", "aep.classifications", "aep.stage-4", "aep.dlq"),
        names(TopicPlan.forInstance(config, manifest, new StageRange(2, 3))));
    assertEquals(List.of("aep.images", "aep.classifications", "aep.dlq"),
        names(TopicPlan.forInstance(config, manifest, new StageRange(1, 4))));
  }

  @Test
  void waitingImagesTakeWhatTheInstancesInputTakes() {
    // Stage 1 stores images as they came: the largest accepted image, not stage 1's tensor (it had none).
    assertEquals(100_000 + TopicPlan.RECORD_OVERHEAD,
        TopicPlan.waitingImages(config, manifest, 1, "c").maxMessageBytes());
    assertEquals(tensorBytes(3) + TopicPlan.RECORD_OVERHEAD,
        TopicPlan.waitingImages(config, manifest, 3, "c").maxMessageBytes(), "a later stage stores the hand-off");
  }

  @Test
  void aRecordIsMeasuredByItsKeyValueAndHeaders() {
    org.apache.kafka.common.header.internals.RecordHeaders headers =
        new org.apache.kafka.common.header.internals.RecordHeaders();
    headers.add("trace", new byte[7]);
    assertEquals(3 + 10 + 5 + 7, TopicNeed.recordBytes(new byte[3], new byte[10], headers));
    TopicNeed need = new TopicNeed("t", "test", 2048);
    assertEquals(2048 - 1024, need.maxRecordBytes(), "room for the record batch around it");
  }

  private static List<String> names(List<TopicNeed> needs) {
    return needs.stream().map(TopicNeed::name).toList();
  }
}
