package io.aepstreams.streams.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aepstreams.records.Classification;
import io.aepstreams.records.PointSetter;
import io.aepstreams.schemas.wire.AvroDeserializer;
import io.aepstreams.streams.cli.AepCli;
import io.aepstreams.streams.cli.CliRun;
import io.aepstreams.streams.config.AppConfig;
import io.aepstreams.streams.config.Topics;
import io.aepstreams.streams.embedded.LocalCluster;
import io.aepstreams.streams.produce.ImageProducer;
import io.aepstreams.streams.runtime.PipelineInstance;
import io.aepstreams.streams.topology.TinyBundle;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Adaptive exits on a real broker and registry: {@code ./aep thresholds set} moves a running instance to another
 * point, results say which point decided them, and the load controller in the edge steps to a cheaper point while
 * the deep range lags, never past its ceiling, and back when the lag is gone, every image answered once.
 */
class AdaptiveExitsIT {
  @TempDir static Path dir;
  static LocalCluster cluster;
  static TinyBundle bundle;

  @BeforeAll
  static void start() throws Exception {
    cluster = LocalCluster.start(dir, 2);
    bundle = TinyBundle.writeWithPoints(dir.resolve("with-points"));
  }

  @AfterAll
  static void stop() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static Map<String, String> settings(String name) {
    Map<String, String> settings = cluster.settings(name);
    settings.put(AppConfig.MODEL, bundle.dir.toString());
    settings.put(AppConfig.APPLICATION_ID_PREFIX, name);
    cluster.createTopics(settings, 2);
    return settings;
  }

  private static AppConfig config(Map<String, String> base, String stages, Map<String, String> extra) {
    Map<String, String> settings = new HashMap<>(base);
    settings.put(AppConfig.STAGES, stages);
    settings.putAll(extra);
    return AppConfig.from(settings);
  }

  private static CliRun cli(Map<String, String> settings, String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    settings.forEach((k, v) -> {
      all.add("--set");
      all.add(k + "=" + v);
    });
    return CliRun.of(AepCli.commandLine(), all.toArray(String[]::new));
  }

  private static void produce(Topics topics, String prefix) throws InterruptedException {
    Map<String, Object> producer = Map.of("bootstrap.servers", cluster.kafka.bootstrapServers(),
        "schema.registry.url", cluster.registry.confluentUrl());
    try (ImageProducer images = new ImageProducer(producer, topics.images())) {
      images.send(TinyBundle.IMAGES, TinyBundle.IMAGES.size(), 0, prefix, sent -> { });
    }
  }

  private static Map<String, Object> consumerSettings(String group) {
    Map<String, Object> settings = new HashMap<>();
    settings.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.kafka.bootstrapServers());
    settings.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    settings.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    settings.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    settings.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    settings.put("schema.registry.url", cluster.registry.confluentUrl());
    return settings;
  }

  /** The committed results whose id starts with {@code prefix}, once {@code count} of them are in. */
  private static Map<String, Classification> results(Topics topics, String prefix, int count) {
    AvroDeserializer<Classification> values = AvroDeserializer.forClass(Classification.class);
    values.configure(consumerSettings("r"), false);
    Map<String, Classification> results = new LinkedHashMap<>();
    List<String> duplicates = new ArrayList<>();
    try (KafkaConsumer<byte[], Classification> consumer = new KafkaConsumer<>(consumerSettings("it-"
        + UUID.randomUUID()), new ByteArrayDeserializer(), values)) {
      consumer.subscribe(List.of(topics.classifications()));
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      long quietUntil = Long.MAX_VALUE;
      while (System.nanoTime() < Math.min(deadline, quietUntil)) {
        for (ConsumerRecord<byte[], Classification> r : consumer.poll(Duration.ofMillis(200))) {
          if (r.value().getId().startsWith(prefix) && results.put(r.value().getId(), r.value()) != null) {
            duplicates.add(r.value().getId());
          }
        }
        if (results.size() >= count && quietUntil == Long.MAX_VALUE) {
          quietUntil = System.nanoTime() + Duration.ofSeconds(2).toNanos(); // watch a little for duplicates
        }
      }
    }
    assertEquals(List.of(), duplicates, "one result per image");
    assertEquals(count, results.size(), "results of " + prefix);
    return results;
  }

  private static void await(BooleanSupplier condition, Duration limit, String what) throws InterruptedException {
    await(condition, limit, () -> what);
  }

  private static void await(BooleanSupplier condition, Duration limit, java.util.function.Supplier<String> what)
      throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, () -> "not within " + limit + ": " + what.get());
      Thread.sleep(50);
    }
  }

  @Test
  void thresholdsSetMovesARunningInstanceAndShowSaysWhichPointIsInForce() throws Exception {
    Map<String, String> base = settings("adapt-cli");
    Topics topics = AppConfig.from(base).topics();
    try (PipelineInstance instance = PipelineInstance.start(config(base, "1-4", Map.of()))) {
      instance.awaitRunning(Duration.ofSeconds(60));
      produce(topics, "a-");
      for (Classification c : results(topics, "a-", TinyBundle.IMAGES.size()).values()) {
        assertEquals(1, c.getOperatingPoint().getIndex(), "the bundle's point, before any record");
        assertEquals(PointSetter.BUNDLE, c.getOperatingPoint().getSetBy());
      }

      CliRun set = cli(base, "thresholds", "set", "--point", "2", "--reason", "test");
      assertEquals(0, set.exit(), set.err());
      assertTrue(set.out().contains("point 2 in force"), set.out());
      await(() -> instance.points().current().index() == 2, Duration.ofSeconds(30), "point 2 applied");
      produce(topics, "b-");
      for (Classification c : results(topics, "b-", TinyBundle.IMAGES.size()).values()) {
        assertEquals(2, c.getOperatingPoint().getIndex(), c.getId());
        assertEquals(PointSetter.OPERATOR, c.getOperatingPoint().getSetBy());
        assertEquals(2, c.getExitStage(), "point 2 lets every image out at stage 2");
      }
      CliRun show = cli(base, "thresholds", "show");
      assertEquals(0, show.exit(), show.err());
      assertTrue(show.out().contains("\n2 *") && show.out().contains("set by OPERATOR"), show.out());

      CliRun unknown = cli(base, "thresholds", "set", "--point", "9");
      assertEquals(2, unknown.exit());
      assertEquals("error: --point 9 is not one of the bundle's points 0-2", unknown.err().strip());
      CliRun byBudget = cli(base, "thresholds", "set", "--budget", "1.5");
      assertEquals(0, byBudget.exit(), byBudget.err());
      assertTrue(byBudget.out().startsWith("point 1 in force"), "the largest budget up to 1.5: " + byBudget.out());
      await(() -> instance.points().current().index() == 1, Duration.ofSeconds(30), "point 1 applied");
    }
  }

  @Test
  void theControllerStepsDownWhileTheDeepRangeLagsNeverPastTheCeilingAndBackWhenItDrains() throws Exception {
    Map<String, String> base = settings("adapt-ctl");
    AppConfig edgeConfig = config(base, "1", Map.of(AppConfig.SLO_LATENCY_MS, "1000",
        AppConfig.SLO_INTERVAL_MS, "200", AppConfig.SLO_MAX_ACCURACY_LOSS, "1.0"));
    Topics topics = edgeConfig.topics();
    try (ControlTopic control = new ControlTopic(edgeConfig)) {
      control.publish(ControlTopic.record(bundle.manifest, 0, 0, PointSetter.OPERATOR, "test: start at point 0"));
    }
    // The deep range: a member of its group that commits where it stands and takes nothing until told.
    List<TopicPartition> stage2 = List.of(new TopicPartition(topics.stage(2), 0),
        new TopicPartition(topics.stage(2), 1));
    try (KafkaConsumer<byte[], byte[]> deep = new KafkaConsumer<>(consumerSettings("adapt-ctl-stages-2-4"),
        new ByteArrayDeserializer(), new ByteArrayDeserializer());
        PipelineInstance edge = PipelineInstance.start(edgeConfig)) {
      deep.subscribe(List.of(topics.stage(2)));
      await(() -> {
        deep.poll(Duration.ofMillis(100));
        return deep.assignment().size() == 2;
      }, Duration.ofSeconds(30), "the deep consumer joins");
      deep.pause(stage2);
      Map<TopicPartition, OffsetAndMetadata> start = new HashMap<>();
      stage2.forEach(tp -> start.put(tp, new OffsetAndMetadata(deep.position(tp))));
      deep.commitSync(start);
      edge.awaitRunning(Duration.ofSeconds(60));
      await(() -> edge.points().current().index() == 0, Duration.ofSeconds(30), "point 0 from the control topic");

      produce(topics, "a-"); // point 0 lets nothing out at stage 1: every image queues for the stalled deep range
      await(() -> edge.points().current().index() == 1, Duration.ofSeconds(30), "a step down under lag");
      assertEquals(PointSetter.CONTROLLER, edge.points().current().tag().getSetBy());
      long until = System.nanoTime() + Duration.ofSeconds(3).toNanos();
      while (System.nanoTime() < until) {
        deep.poll(Duration.ofMillis(100)); // paused: keeps the member alive, takes nothing
        assertEquals(1, edge.points().current().index(), "point 2's budget (3 points) is past the 1-point ceiling");
      }
      produce(topics, "b-");
      Map<String, Classification> decided = results(topics, "b-", (int) TinyBundle.IMAGES.size() / 2);
      for (Classification c : decided.values()) {
        assertEquals(1, c.getOperatingPoint().getIndex());
        assertEquals(PointSetter.CONTROLLER, c.getOperatingPoint().getSetBy());
        assertEquals(1, c.getExitStage());
      }

      // The deep range catches up: everything handed on so far is taken and committed. Every image is then either
      // answered at stage 1 (some of the first ones too, once the point had moved) or handed on, once.
      deep.resume(stage2);
      List<String> handedOn = new ArrayList<>();
      List<String> answered = new ArrayList<>();
      AvroDeserializer<Classification> values = AvroDeserializer.forClass(Classification.class);
      values.configure(consumerSettings("r"), false);
      try (KafkaConsumer<byte[], Classification> results = new KafkaConsumer<>(consumerSettings("it-"
          + UUID.randomUUID()), new ByteArrayDeserializer(), values)) {
        results.subscribe(List.of(topics.classifications()));
        int sent = TinyBundle.IMAGES.size() * 2;
        await(() -> {
          deep.poll(Duration.ofMillis(100)).forEach(r -> handedOn.add(new String(r.key())));
          deep.commitSync();
          results.poll(Duration.ofMillis(100)).forEach(r -> answered.add(r.value().getId()));
          return handedOn.size() + answered.size() >= sent;
        }, Duration.ofSeconds(30), () -> handedOn.size() + " handed on and " + answered.size() + " answered of " + sent);
        List<String> all = new ArrayList<>(handedOn);
        all.addAll(answered);
        assertEquals(sent, all.stream().distinct().count(), "each image answered or handed on, once: " + all);
        assertEquals(sent, all.size());
      }
      await(() -> {
        deep.poll(Duration.ofMillis(100));
        return edge.points().current().index() == 0;
      }, Duration.ofSeconds(30), "back to the operator's point once the lag is gone");
      assertEquals(PointSetter.CONTROLLER, edge.points().current().tag().getSetBy());
    }
  }

  /**
   * Metric names (series names as Prometheus stores them) that {@code expr} reads: its identifiers once label
   * lists ({@code by (...)}, {@code on (...)}) and selectors ({@code {...}}) are taken out.
   */
  static java.util.Set<String> metricsIn(String expr) {
    String bare = expr.replaceAll("\\b(by|on|without|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ")
        .replaceAll("\\{[^}]*\\}", " ");
    java.util.Set<String> names = new java.util.TreeSet<>();
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\b((?:aep|kafka)_[a-z0-9_]+)\\b").matcher(bare);
    while (m.find()) {
      names.add(m.group(1));
    }
    return names;
  }

  @Test
  void everyQueryOfTheDashboardAndTheAlertsNamesAMetricARunningInstanceExports() throws Exception {
    Map<String, String> base = settings("adapt-dash");
    Topics topics = AppConfig.from(base).topics();
    com.fasterxml.jackson.databind.JsonNode configMap = new com.fasterxml.jackson.dataformat.yaml.YAMLMapper()
        .readTree(Path.of("..", "deploy", "k8s", "base", "grafana-dashboard.yaml").toFile());
    com.fasterxml.jackson.databind.JsonNode dashboard = new com.fasterxml.jackson.databind.ObjectMapper()
        .readTree(configMap.path("data").path("aep-streams.json").asText());
    java.util.Set<String> queried = new java.util.TreeSet<>();
    dashboard.path("panels").forEach(panel -> panel.path("targets").forEach(t -> queried.addAll(
        metricsIn(t.path("expr").asText()))));
    assertTrue(queried.size() >= 10, "the dashboard's queries name its metrics: " + queried);
    // and the alerts' too
    new com.fasterxml.jackson.dataformat.yaml.YAMLMapper().readTree(Path.of("..", "deploy", "k8s", "base",
        "prometheus-rule.yaml").toFile()).path("spec").path("groups").forEach(g -> g.path("rules").forEach(
            r -> queried.addAll(metricsIn(r.path("expr").asText()))));

    // Every feature the dashboard shows switched on: audit, the controller, early exits.
    try (PipelineInstance instance = PipelineInstance.start(config(base, "1-4", Map.of(AppConfig.HTTP_PORT, "0",
        AppConfig.AUDIT_RATE, "1", AppConfig.SLO_LATENCY_MS, "1000", AppConfig.SLO_INTERVAL_MS, "200")))) {
      instance.awaitRunning(Duration.ofSeconds(60));
      produce(topics, "d-");
      // and one bad record, for the dead-letter counter
      try (org.apache.kafka.clients.producer.KafkaProducer<byte[], byte[]> raw =
          new org.apache.kafka.clients.producer.KafkaProducer<>(Map.of("bootstrap.servers",
              cluster.kafka.bootstrapServers()), new org.apache.kafka.common.serialization.ByteArraySerializer(),
              new org.apache.kafka.common.serialization.ByteArraySerializer())) {
        raw.send(new org.apache.kafka.clients.producer.ProducerRecord<>(topics.images(), "junk".getBytes(),
            "not avro".getBytes())).get();
      }
      results(topics, "d-", TinyBundle.IMAGES.size());
      java.util.Set<String> exported = new java.util.TreeSet<>();
      await(() -> {
        exported.clear();
        exported.addAll(scrape(instance.httpPort()));
        return exported.containsAll(queried);
      }, Duration.ofSeconds(30), () -> {
        java.util.Set<String> missing = new java.util.TreeSet<>(queried);
        missing.removeAll(exported);
        return "the dashboard and alerts query metrics no instance exports: " + missing;
      });
    }
  }

  /** The series names on an instance's /metrics. */
  private static java.util.Set<String> scrape(int port) {
    try {
      String body = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
          java.net.URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
          java.net.http.HttpResponse.BodyHandlers.ofString()).body();
      java.util.Set<String> names = new java.util.TreeSet<>();
      for (String line : body.split("\n")) {
        if (!line.isBlank() && !line.startsWith("#")) {
          names.add(line.split("[{ ]", 2)[0]);
        }
      }
      return names;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
