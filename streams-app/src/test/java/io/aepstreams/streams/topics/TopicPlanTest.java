package io.aepstreams.streams.topics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aepstreams.model.bundle.Manifest;
import io.aepstreams.streams.config.AppConfig;
import io.aepstreams.streams.config.StageRange;
import io.aepstreams.streams.handoff.HandoffEncoding;
import java.util.Optional;
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

  /** What the default encoding may write at most (float16 falls back to float32 for values beyond its range). */
  private static long tensorBytes(int stage) {
    return HandoffEncoding.DEFAULT.maxTensorBytes(manifest.stage(stage).inputShape());
  }

  private static long elements(int stage) {
    return manifest.stage(stage).inputShape().stream().mapToLong(Long::longValue).reduce(1, (a, b) -> a * b);
  }

  @Test
  void everyTopicOfEverySplitWithItsLargestRecord() {
    List<TopicNeed> all = TopicPlan.all(config, manifest);
    assertEquals(List.of("aep.images", "aep.classifications", "aep.stage-2", "aep.stage-3", "aep.stage-4", "aep.dlq",
        "aep.control"),
        all.stream().map(TopicNeed::name).toList());
    assertEquals(100_000 + TopicPlan.RECORD_OVERHEAD, all.get(0).maxMessageBytes(), "the largest accepted payload");
    for (int stage = 2; stage <= 4; stage++) {
      assertEquals(tensorBytes(stage) + TopicPlan.RECORD_OVERHEAD, all.get(stage).maxMessageBytes(), "stage " + stage);
    }
    long largest = all.subList(0, 5).stream().mapToLong(TopicNeed::maxMessageBytes).max().orElseThrow();
    assertEquals(largest, all.get(5).maxMessageBytes(), "dead letters keep the failed record whole");
  }

  @Test
  void stageTopicsAreSizedForTheEncodingAndCompressedAsSet() {
    AppConfig int8 = AppConfig.from(Map.of(AppConfig.MODEL, "m", AppConfig.HANDOFF_ENCODING, "int8",
        AppConfig.HANDOFF_COMPRESSION, "lz4"));
    AppConfig float32 = AppConfig.from(Map.of(AppConfig.MODEL, "m", AppConfig.HANDOFF_ENCODING, "float32",
        AppConfig.HANDOFF_COMPRESSION, "none"));
    for (int stage = 2; stage <= 4; stage++) {
      TopicNeed small = TopicPlan.all(int8, manifest).get(stage);
      TopicNeed large = TopicPlan.all(float32, manifest).get(stage);
      long channels = manifest.stage(stage).inputShape().get(0);
      assertEquals(3 * elements(stage), large.maxMessageBytes() - small.maxMessageBytes(), 10 * channels + 64,
          "stage " + stage + ": int8 takes a byte where float32 takes four");
      assertEquals(Optional.of("lz4"), small.compression());
      assertEquals(Optional.empty(), large.compression());
      assertTrue(small.carries().contains("int8"), small.carries());
    }
    assertEquals(Optional.empty(), TopicPlan.all(int8, manifest).get(0).compression(), "images are the producers'");
  }

  @Test
  void theControlTopicIsCompactedWithOnePartitionOfItsOwn() {
    TopicNeed control = TopicPlan.all(config, manifest).get(TopicPlan.all(config, manifest).size() - 1);
    assertEquals("aep.control", control.name());
    assertTrue(control.compacted());
    assertEquals(Optional.of(1), control.partitions());
    assertFalse(control.sharesPartitions());
  }

  @Test
  void anInstanceNeedsItsInputItsOutputsAndTheDeadLetterQueue() {
    assertEquals(List.of("aep.images", "aep.classifications", "aep.stage-2", "aep.dlq", "aep.control"),
        names(TopicPlan.forInstance(config, manifest, new StageRange(1, 1))));
    assertEquals(List.of("aep.stage-2", "aep.classifications", "aep.stage-4", "aep.dlq",
        "aep.control"),
        names(TopicPlan.forInstance(config, manifest, new StageRange(2, 3))));
    assertEquals(List.of("aep.images", "aep.classifications", "aep.dlq", "aep.control"),
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
