package io.aepstreams.streams.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aepstreams.model.backbone.BackboneSpec;
import io.aepstreams.model.bundle.Manifest;
import io.aepstreams.model.data.InputSpec;
import io.aepstreams.model.ensemble.WeightScheme;
import io.aepstreams.model.policy.Confidence;
import io.aepstreams.model.policy.ExitPolicy;
import io.aepstreams.streams.config.AppConfig;
import io.aepstreams.streams.config.Handoff;
import io.aepstreams.streams.config.StageRange;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

class StreamsPropertiesTest {
  private static final String MAX_REQUEST = StreamsConfig.producerPrefix("max.request.size");
  /** A float32 hand-off into ResNet-50's stage 2 as the plan sizes it (the default encoding may fall back to it). */
  private static final int HANDOFF = (int) (io.aepstreams.streams.handoff.HandoffEncoding.FLOAT32.maxTensorBytes(
      List.of(256L, 56L, 56L)) + 64 * 1024);

  /** ResNet-50's shapes at 224x224: stage 2 takes 256x56x56 floats, 3.2 MB, more than a default request. */
  private static Manifest resnet50() {
    List<Manifest.Stage> stages = List.of(
        new Manifest.Stage(1, "stage-1.params", List.of(3L, 224L, 224L), List.of(256L, 56L, 56L), 0, 0),
        new Manifest.Stage(2, "stage-2.params", List.of(256L, 56L, 56L), List.of(512L, 28L, 28L), 0, 0));
    return new Manifest(1, "r", "v", List.of("a", "b"), new InputSpec(3, 224, 224, new float[3],
        new float[] {1, 1, 1}, "bilinear"), new BackboneSpec("resnet50", 3, 224, 224, 2, 1), WeightScheme.MIX, stages,
        List.of(new Manifest.Exit(2, "exit-2.params", 1, 1, 0, 0)), ExitPolicy.off(Confidence.MAX_SOFTMAX), List.of(),
        Map.of());
  }

  private static AppConfig config(Map<String, String> extra) {
    Map<String, String> settings = new java.util.HashMap<>(Map.of(AppConfig.MODEL, "m"));
    settings.putAll(extra);
    return AppConfig.from(settings);
  }

  @Test
  void handOffInstancesAskForRequestsLargeEnoughForTheirTensors() {
    // Small image payloads: the 3.2 MB hand-off tensor is the largest record stage 1 writes.
    Properties props = AepTopology.streamsProperties(config(Map.of(AppConfig.MAX_PAYLOAD_BYTES, "100000")),
        new StageRange(1, 1), resnet50());
    assertEquals(HANDOFF, props.get(MAX_REQUEST));
    assertEquals("aep-streams-stages-1-1", props.get(StreamsConfig.APPLICATION_ID_CONFIG));
    assertEquals("aep.dlq", props.get(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG));
  }

  @Test
  void deadLettersOfTheLargestAcceptedImageFitARequest() {
    // The default 4 MiB payload limit: a rejected image is dead-lettered whole, so requests must take it.
    Properties props = AepTopology.streamsProperties(config(Map.of()), new StageRange(1, 2), resnet50());
    assertEquals(4 * 1024 * 1024 + 64 * 1024, props.get(MAX_REQUEST));
  }

  @Test
  void exactlyOnceByDefaultAndAtLeastOnceWhenAsked() {
    Properties defaults = AepTopology.streamsProperties(config(Map.of()), new StageRange(1, 2), resnet50());
    assertEquals(StreamsConfig.EXACTLY_ONCE_V2, defaults.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG));
    assertEquals(AepTopology.COMMIT_INTERVAL_MS, defaults.get(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG));
    Properties chosen = AepTopology.streamsProperties(config(Map.of(StreamsConfig.PROCESSING_GUARANTEE_CONFIG,
        StreamsConfig.AT_LEAST_ONCE)), new StageRange(1, 2), resnet50());
    assertEquals(StreamsConfig.AT_LEAST_ONCE, chosen.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG));
  }

  @Test
  void deepInstancesFitTheTensorsTheyMayDeadLetterAndUserSettingsWin() {
    Map<String, String> small = Map.of(AppConfig.MAX_PAYLOAD_BYTES, "100000");
    assertEquals(HANDOFF, AepTopology.streamsProperties(config(small), new StageRange(2, 2),
        resnet50()).get(MAX_REQUEST), "a rejected hand-off is dead-lettered whole");
    Map<String, String> given = new java.util.HashMap<>(small);
    given.put(MAX_REQUEST, "9999999");
    assertEquals("9999999", AepTopology.streamsProperties(config(given), new StageRange(1, 1), resnet50())
        .get(MAX_REQUEST));
  }

  /** Camera frames of up to 3 MiB in batches of 8: fetched a batch at a time, buffered twice over by the producer. */
  @Test
  void fetchesAndProducerBuffersFitABatchOfTheLargestRecords() {
    Properties frames = AepTopology.streamsProperties(config(Map.of(AppConfig.MAX_PAYLOAD_BYTES,
        String.valueOf(3 << 20), AppConfig.BATCH_MAX_SIZE, "8")), new StageRange(1, 1), resnet50());
    long frame = (3 << 20) + 64 * 1024;
    assertEquals((int) (8 * frame), frames.get(StreamsConfig.consumerPrefix("max.partition.fetch.bytes")));
    assertEquals(52_428_800, frames.get(StreamsConfig.consumerPrefix("fetch.max.bytes")), "Kafka's 50 MiB is enough");
    long handoff = HANDOFF;
    assertEquals(2L * 8 * Math.max(frame, handoff), frames.get(StreamsConfig.producerPrefix("buffer.memory")),
        "the changelog takes every waiting frame, the hand-off topic every tensor");

    Properties deep = AepTopology.streamsProperties(config(Map.of(AppConfig.MAX_PAYLOAD_BYTES, "100000",
        AppConfig.BATCH_MAX_SIZE, "32")), new StageRange(2, 2), resnet50());
    assertEquals(64 << 20, deep.get(StreamsConfig.consumerPrefix("max.partition.fetch.bytes")),
        "a batch of 32 hand-off tensors of 3.2 MB, held to 64 MiB");
    assertEquals(64 << 20, deep.get(StreamsConfig.consumerPrefix("fetch.max.bytes")));
    assertEquals(2L * 32 * handoff, deep.get(StreamsConfig.producerPrefix("buffer.memory")),
        "a dead letter carries a tensor whole");
    Properties big = AepTopology.streamsProperties(config(Map.of(AppConfig.BATCH_MAX_SIZE, "64")),
        new StageRange(1, 1), resnet50());
    assertEquals(256L << 20, big.get(StreamsConfig.producerPrefix("buffer.memory")), "at most 256 MiB");

    Properties given = AepTopology.streamsProperties(config(Map.of(AppConfig.MAX_PAYLOAD_BYTES,
        String.valueOf(3 << 20), "max.partition.fetch.bytes", "2000000", "max.request.size", "7000000")),
        new StageRange(1, 1), resnet50());
    assertEquals("2000000", given.get("max.partition.fetch.bytes"));
    assertEquals(null, given.get(StreamsConfig.consumerPrefix("max.partition.fetch.bytes")),
        "a prefixed default would win over the plain setting given");
    assertEquals(null, given.get(MAX_REQUEST));
  }

  @Test
  void aKilledMemberIsNoticedInTenSecondsAndARegistryCallEndsInsideATransaction() {
    Properties defaults = AepTopology.streamsProperties(config(Map.of()), new StageRange(1, 2), resnet50());
    assertEquals(10_000, defaults.get("session.timeout.ms"), "Kafka's 45 s would stall a killed instance's images");
    assertEquals(3_000, defaults.get("schema.registry.request.timeout.ms"));
    assertEquals(2, defaults.get("schema.registry.max.retries"));
    Properties given = AepTopology.streamsProperties(config(Map.of("session.timeout.ms", "30000",
        "schema.registry.max.retries", "5")), new StageRange(1, 2), resnet50());
    assertEquals("30000", given.get("session.timeout.ms"), "a setting given wins");
    assertEquals("5", given.get("schema.registry.max.retries"));
  }

  @Test
  void anInstanceThatHandsOnCompressesAsTheHandOffSettingSaysUnlessTheUserSaidOtherwise() {
    String compression = StreamsConfig.producerPrefix("compression.type");
    Map<String, String> zstd = Map.of(AppConfig.HANDOFF_COMPRESSION, "zstd");
    assertEquals("zstd", AepTopology.streamsProperties(config(zstd), new StageRange(1, 1), resnet50())
        .get(compression));
    assertEquals(null, AepTopology.streamsProperties(config(zstd), new StageRange(2, 2), resnet50())
        .get(compression), "the last instance hands nothing on");
    assertEquals(Handoff.DEFAULT.compression(), AepTopology.streamsProperties(config(Map.of()), new StageRange(1, 1),
        resnet50()).get(compression), "the default");
    assertEquals(null, AepTopology.streamsProperties(config(Map.of(AppConfig.HANDOFF_COMPRESSION, "none")),
        new StageRange(1, 1), resnet50()).get(compression), "none: the producer's own default");
    Map<String, String> given = new java.util.HashMap<>(zstd);
    given.put("compression.type", "lz4");
    assertEquals(null, AepTopology.streamsProperties(config(given), new StageRange(1, 1), resnet50())
        .get(compression), "the user's plain setting wins");
  }

  @Test
  void anInt8HandOffOfTheSameTensorFitsKafkasDefaultRequest() {
    // 256x56x56 bytes, a scale and a zero point per channel, and the rest: under Kafka's 1 MiB
    Properties props = AepTopology.streamsProperties(config(Map.of(AppConfig.MAX_PAYLOAD_BYTES, "100000",
        AppConfig.HANDOFF_ENCODING, "int8")), new StageRange(1, 1), resnet50());
    assertEquals(null, props.get(MAX_REQUEST));
  }
}
