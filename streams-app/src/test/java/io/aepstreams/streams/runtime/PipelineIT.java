package io.aepstreams.streams.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aepstreams.records.Classification;
import io.aepstreams.records.ImageRecord;
import io.aepstreams.schemas.registry.ApicurioRegistry;
import io.aepstreams.schemas.wire.AvroDeserializer;
import io.aepstreams.streams.config.AppConfig;
import io.aepstreams.streams.config.Topics;
import io.aepstreams.streams.dlq.DeadLetters;
import io.aepstreams.embedded.EmbeddedKafka;
import io.aepstreams.streams.embedded.LocalCluster;
import io.aepstreams.streams.produce.ImageProducer;
import io.aepstreams.streams.topology.SingleProcessReference;
import io.aepstreams.streams.topology.TinyBundle;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import io.aepstreams.records.PartialInference;
import io.aepstreams.records.TensorDType;
import org.junit.jupiter.api.io.TempDir;

/**
 * The split deployment on a real broker (in-JVM KRaft) and a real registry (Apicurio): an instance for stage 1 and
 * one for stages 2-4, each its own Kafka Streams application, must give every image exactly one result, the same
 * as the single-process pipeline's; with each hand-off encoding (float16 and int8 keep every decision of this model,
 * as HandoffTrialTest measures and pins), and compressed on the wire.
 */
class PipelineIT {
  @TempDir static Path dir;
  static LocalCluster cluster;
  static EmbeddedKafka kafka;
  static ApicurioRegistry registry;
  static TinyBundle bundle;

  @BeforeAll
  static void start() throws Exception {
    cluster = LocalCluster.start(dir, 2);
    kafka = cluster.kafka;
    registry = cluster.registry;
    bundle = cluster.bundle;
  }

  @AfterAll
  static void stop() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static Map<String, String> settings(String encoding, String compression) {
    Map<String, String> settings = cluster.settings("it-" + encoding);
    settings.put(AppConfig.APPLICATION_ID_PREFIX, "it-" + encoding);
    settings.put(AppConfig.HANDOFF_ENCODING, encoding);
    settings.put(AppConfig.HANDOFF_COMPRESSION, compression);
    return settings;
  }

  private static AppConfig config(Map<String, String> base, String stages) {
    Map<String, String> settings = new HashMap<>(base);
    settings.put(AppConfig.HTTP_PORT, "0");
    settings.put(AppConfig.STAGES, stages);
    return AppConfig.from(settings);
  }

  @Test
  void anInstanceOnOnePartitionRunsOneStreamThreadByDefault() throws Exception {
    Map<String, String> base = cluster.settings("it-one-partition");
    base.put(AppConfig.APPLICATION_ID_PREFIX, "it-one-partition");
    cluster.createTopics(base, 1);
    try (PipelineInstance instance = PipelineInstance.start(config(base, "1-4"))) {
      instance.awaitRunning(Duration.ofSeconds(60));
      // a second stream thread would have no task: the default narrows to the one partition
      assertEquals(1, instance.streamThreads());
    }
  }

  @ParameterizedTest
  @CsvSource({"float32, none, FLOAT32, 1e-5", "float16, lz4, FLOAT16, 2e-3", "int8, zstd, INT8, 3e-2"})
  void splitInstancesGiveEveryImageExactlyOneResultMatchingTheSingleProcessRun(String encoding, String compression,
      TensorDType dtype, double tolerance) throws Exception {
    Map<String, String> base = settings(encoding, compression);
    cluster.createTopics(base, 2);
    AppConfig config = AppConfig.from(base);
    Topics topics = config.topics();
    List<ImageRecord> images = new ArrayList<>();
    for (int i = 0; i < TinyBundle.IMAGES.size(); i++) {
      images.add(ImageProducer.record(TinyBundle.IMAGES, i, "it-" + i));
    }
    Map<String, Classification> reference = SingleProcessReference.classify(bundle, images);

    try (PipelineInstance edge = PipelineInstance.start(config(base, "1"));
        PipelineInstance rest = PipelineInstance.start(config(base, "2-4"))) {
      edge.awaitRunning(Duration.ofSeconds(60));
      rest.awaitRunning(Duration.ofSeconds(60));
      assertEquals(200, get(edge.httpPort(), "/health/ready").statusCode());
      // by default a stream thread per core, as many as the two partitions give work to
      assertEquals(Math.min(2, Runtime.getRuntime().availableProcessors()), edge.streamThreads());
      Map<String, Object> producerSettings = Map.of("bootstrap.servers", kafka.bootstrapServers(),
          "schema.registry.url", registry.confluentUrl());
      try (ImageProducer producer = new ImageProducer(producerSettings, topics.images())) {
        producer.send(TinyBundle.IMAGES, TinyBundle.IMAGES.size(), 0, "it-", sent -> { });
      }
      try (KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(Map.of("bootstrap.servers",
          kafka.bootstrapServers()), new ByteArraySerializer(), new ByteArraySerializer())) {
        raw.send(new ProducerRecord<>(topics.images(), "junk".getBytes(), "not avro".getBytes())).get();
      }

      Map<String, Classification> results = new LinkedHashMap<>();
      List<String> duplicates = new ArrayList<>();
      try (KafkaConsumer<byte[], Classification> consumer = consumer()) {
        consumer.subscribe(List.of(topics.classifications()));
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        long quietUntil = Long.MAX_VALUE;
        while (System.nanoTime() < Math.min(deadline, quietUntil)) {
          for (ConsumerRecord<byte[], Classification> record : consumer.poll(Duration.ofMillis(200))) {
            if (results.put(record.value().getId(), record.value()) != null) {
              duplicates.add(record.value().getId());
            }
          }
          if (results.size() == images.size() && quietUntil == Long.MAX_VALUE) {
            quietUntil = System.nanoTime() + Duration.ofSeconds(3).toNanos(); // watch a little for duplicates
          }
        }
      }
      assertEquals(List.of(), duplicates);
      assertEquals(reference.keySet(), results.keySet());
      for (String id : reference.keySet()) {
        assertEquals(reference.get(id).getClassIndex(), results.get(id).getClassIndex(), id);
        // Batches form differently run to run, and a forward pass over another batch size may differ in the last
        // bits of a float: the same answer, within float tolerance (and the encoding's rounding).
        assertEquals(reference.get(id).getConfidence(), results.get(id).getConfidence(), tolerance, id);
        assertEquals(reference.get(id).getExitStage(), results.get(id).getExitStage(), id);
      }
      java.net.http.HttpResponse<String> scraped = get(rest.httpPort(), "/metrics");
      String metrics = scraped.body();
      assertEquals(200, scraped.statusCode(), metrics);
      assertTrue(metrics.contains("aep_classifications_total{") && metrics.contains("exit_stage=\"4\""), metrics);
      assertTrue(results.values().stream().anyMatch(c -> c.getExitStage() == 1));
      assertTrue(results.values().stream().anyMatch(c -> c.getExitStage() == 4));

      try (KafkaConsumer<byte[], byte[]> dlq = new KafkaConsumer<>(consumerSettings(), new ByteArrayDeserializer(),
          new ByteArrayDeserializer())) {
        dlq.subscribe(List.of(topics.dlq()));
        List<String> reasons = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (reasons.isEmpty() && System.nanoTime() < deadline) {
          dlq.poll(Duration.ofMillis(200)).forEach(r -> reasons.add(DeadLetters.header(r.headers(),
              DeadLetters.REASON)));
        }
        assertEquals(List.of("BAD_MAGIC_BYTE"), reasons);
      }
      int handedOn = (int) results.values().stream().filter(c -> c.getExitStage() > 1).count();
      assertHandOffsWrittenAs(topics.stage(2), handedOn, dtype, compression, edge.httpPort());
    }
  }

  /**
   * The stage topic holds one committed record for each image answered after stage 1, each carrying the encoding;
   * the topic was created with the codec set, and the edge's metrics count the bytes it handed on.
   */
  private static void assertHandOffsWrittenAs(String topic, int handedOn, TensorDType dtype, String compression,
      int edgePort) throws Exception {
    String metrics = get(edgePort, "/metrics").body();
    java.util.regex.Matcher counted = java.util.regex.Pattern.compile("aep_handoff_record_bytes_count\\{[^}]*encoding=\""
        + dtype.name().toLowerCase(java.util.Locale.ROOT) + "\",to_stage=\"2\"} (\\d+)").matcher(metrics);
    assertTrue(counted.find(), metrics);
    // the meter counts every record written, in a transaction that commits or not: at least those that did
    assertTrue(Integer.parseInt(counted.group(1)) >= handedOn, metrics);
    Map<String, Object> settings = consumerSettings();
    AvroDeserializer<PartialInference> values = AvroDeserializer.forClass(PartialInference.class);
    values.configure(settings, false);
    int read = 0;
    try (KafkaConsumer<byte[], PartialInference> consumer = new KafkaConsumer<>(settings,
        new ByteArrayDeserializer(), values)) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (read < handedOn && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], PartialInference> record : consumer.poll(Duration.ofMillis(200))) {
          assertEquals(dtype, record.value().getTensor().getDtype());
          read++;
        }
      }
    }
    assertTrue(handedOn > 0, "hand-offs on " + topic);
    assertEquals(handedOn, read, "one committed hand-off for each image answered after stage 1, on " + topic);
    try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(Map.of(
        "bootstrap.servers", kafka.bootstrapServers()))) {
      org.apache.kafka.common.config.ConfigResource resource = new org.apache.kafka.common.config.ConfigResource(
          org.apache.kafka.common.config.ConfigResource.Type.TOPIC, topic);
      String codec = admin.describeConfigs(List.of(resource)).all().get().get(resource).get("compression.type")
          .value();
      assertEquals(compression.equals("none") ? "producer" : compression, codec, "the plan's compression.type");
    }
  }

  private static java.net.http.HttpResponse<String> get(int port, String path) throws Exception {
    return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
        java.net.URI.create("http://127.0.0.1:" + port + path)).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
  }

  private static Map<String, Object> consumerSettings() {
    Map<String, Object> settings = new HashMap<>();
    settings.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    settings.put(ConsumerConfig.GROUP_ID_CONFIG, "it-" + UUID.randomUUID());
    settings.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    settings.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"); // only committed results
    settings.put("schema.registry.url", registry.confluentUrl());
    return settings;
  }

  private static KafkaConsumer<byte[], Classification> consumer() {
    AvroDeserializer<Classification> values = AvroDeserializer.forClass(Classification.class);
    values.configure(consumerSettings(), false);
    return new KafkaConsumer<>(consumerSettings(), new ByteArrayDeserializer(), values);
  }
}
