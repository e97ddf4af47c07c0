package io.aepstreams.streams.topics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aepstreams.streams.config.AppConfig;
import io.aepstreams.embedded.EmbeddedKafka;
import io.aepstreams.streams.runtime.PipelineInstance;
import io.aepstreams.streams.topology.TinyBundle;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The start-up check and {@code aep topics create}'s work against a real broker. Each test names its own topics. */
class TopicsIT {
  @TempDir static Path dir;
  static EmbeddedKafka kafka;
  static TinyBundle bundle;

  @BeforeAll
  static void start() {
    kafka = EmbeddedKafka.start();
    bundle = TinyBundle.write(dir.resolve("tiny"));
  }

  @AfterAll
  static void stop() {
    if (kafka != null) {
      kafka.close();
    }
  }

  /** Settings whose topic names are this test's own. */
  private static Map<String, String> settings(String prefix) {
    Map<String, String> settings = new HashMap<>();
    settings.put(AppConfig.MODEL, bundle.dir.toString());
    settings.put("bootstrap.servers", kafka.bootstrapServers());
    settings.put("schema.registry.url", "mock://" + prefix);
    settings.put(AppConfig.TOPIC_IMAGES, prefix + ".images");
    settings.put(AppConfig.TOPIC_CLASSIFICATIONS, prefix + ".classifications");
    settings.put(AppConfig.TOPIC_STAGE_PREFIX, prefix + ".stage-");
    settings.put(AppConfig.TOPIC_DLQ, prefix + ".dlq");
    settings.put(AppConfig.TOPIC_CONTROL, prefix + ".control");
    return settings;
  }

  private static String prefix() {
    return "t" + UUID.randomUUID().toString().substring(0, 8);
  }

  @Test
  void anInstanceWithoutItsTopicsStopsAtOnceNamingTheTopicAndTheFix() {
    String prefix = prefix();
    long start = System.nanoTime();
    TopicsNotReadyException e = assertThrows(TopicsNotReadyException.class,
        () -> PipelineInstance.start(AppConfig.from(settings(prefix))).close());
    assertTrue(System.nanoTime() - start < Duration.ofSeconds(20).toNanos(), "within seconds");
    assertEquals("topic " + prefix + ".images is missing; it carries images (ImageRecord) (and 3 more problems); "
        + InstanceTopics.FIX, e.getMessage());
    assertEquals(1, e.getMessage().lines().count());
  }

  @Test
  void createMakesEveryTopicWithOnePartitionCountAndRoomForItsRecords() {
    AppConfig config = AppConfig.from(settings(prefix()));
    List<TopicNeed> needs = TopicPlan.all(config, bundle.manifest);
    try (TopicAdmin admin = TopicAdmin.connect(config.kafka())) {
      assertEquals(needs.size(), TopicAdmin.problems(admin.describe(needs)).size(), "all missing at first");
      assertEquals(List.of(), admin.create(needs, 3, Optional.of((short) 1)));
      for (TopicAdmin.TopicState state : admin.describe(needs)) {
        // the compacted control topic has one partition of its own; every other topic the shared count
        assertEquals(Optional.of(state.need().partitions().orElse(3)), state.partitions(), state.need().name());
        assertTrue(state.maxMessageBytes() >= state.need().maxMessageBytes(), state.toString());
      }
      assertEquals(List.of(), admin.create(needs, 3, Optional.of((short) 1)), "creating again changes nothing");
    }
  }

  @Test
  void misSizedTopicsAreReportedAndTooSmallRecordLimitsRaised() throws Exception {
    Map<String, String> settings = settings(prefix());
    AppConfig config = AppConfig.from(settings);
    List<TopicNeed> needs = TopicPlan.all(config, bundle.manifest);
    try (Admin raw = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
      raw.createTopics(List.of(
          new NewTopic(config.topics().images(), 2, (short) 1)
              .configs(Map.of("max.message.bytes", "1000")),
          new NewTopic(config.topics().stage(3), 5, (short) 1))).all().get();
    }
    try (TopicAdmin admin = TopicAdmin.connect(config.kafka())) {
      List<String> problems = TopicAdmin.problems(admin.describe(needs)).stream().map(Object::toString).toList();
      assertTrue(problems.contains("topic " + config.topics().images() + " takes records up to 1000 bytes "
          + "(max.message.bytes) but must take " + needs.get(0).maxMessageBytes()), problems.toString());
      assertTrue(problems.contains("topic " + config.topics().stage(3) + " has 5 partitions, "
          + config.topics().images() + " has 2 (every pipeline topic needs the same count)"), problems.toString());

      List<TopicAdmin.Problem> left = admin.create(needs, 2, Optional.of((short) 1));
      assertEquals(List.of(config.topics().stage(3)), left.stream().map(TopicAdmin.Problem::topic).toList(),
          "the record limit is raised and the missing topics made; partitions stay a problem to fix by hand");
    }
  }

  @Test
  void anInstanceAskedToCreatesItsTopicsStarts() throws Exception {
    Map<String, String> settings = settings(prefix());
    settings.put(AppConfig.TOPICS_CREATE, "true");
    settings.put(AppConfig.TOPICS_PARTITIONS, "2");
    settings.put(AppConfig.STAGES, "1-2");
    try (PipelineInstance instance = PipelineInstance.start(AppConfig.from(settings))) {
      instance.awaitRunning(Duration.ofSeconds(60));
    }
    AppConfig config = AppConfig.from(settings);
    try (TopicAdmin admin = TopicAdmin.connect(config.kafka())) {
      List<TopicAdmin.TopicState> states = admin.describe(TopicPlan.forInstance(config, bundle.manifest,
          config.stages().orElseThrow()));
      assertEquals(List.of(), TopicAdmin.problems(states));
      states.forEach(state -> assertEquals(Optional.of(state.need().partitions().orElse(2)), state.partitions(),
          state.need().name()));
    }
  }
}
