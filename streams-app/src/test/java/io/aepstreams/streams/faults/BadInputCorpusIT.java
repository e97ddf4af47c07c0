package io.aepstreams.streams.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aepstreams.model.bundle.Manifest;
import io.aepstreams.records.ImageEncoding;
import io.aepstreams.records.ImageRecord;
import io.aepstreams.records.PartialInference;
import io.aepstreams.records.Tensor;
import io.aepstreams.records.TensorDType;
import io.aepstreams.schemas.wire.AvroSerde;
import io.aepstreams.schemas.wire.WireFormat;
import io.aepstreams.streams.config.AppConfig;
import io.aepstreams.streams.dlq.DeadLetters;
import io.aepstreams.streams.embedded.LocalCluster;
import io.aepstreams.streams.produce.ImageProducer;
import io.aepstreams.streams.runtime.PipelineInstance;
import io.aepstreams.streams.topology.TinyBundle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.SchemaBuilder;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every kind of bad input the pipeline knows, through a real broker and registry, between good images: each bad
 * record lands in the dead-letter queue with its own reason, the pipeline runs on, and every good image sent between
 * them is answered exactly once.
 */
@Tag("fault-harness")
class BadInputCorpusIT {
  @TempDir static Path dir;
  static LocalCluster cluster;

  @BeforeAll
  static void start() throws Exception {
    cluster = LocalCluster.start(dir, 2);
  }

  @AfterAll
  static void stop() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void eachBadRecordIsDeadLetteredWithItsReasonAndEveryGoodOneAnswered() throws Exception {
    Map<String, String> settings = cluster.settings("corpus");
    cluster.createTopics(settings, 2);
    AppConfig config = AppConfig.from(settings);
    Manifest manifest = cluster.bundle.manifest;
    String images = config.topics().images();
    String stage2 = config.topics().stage(2);

    Map<String, Object> clientSettings = new HashMap<>(config.kafka());
    AvroSerde<ImageRecord> imageSerde = new AvroSerde<>(ImageRecord.class);
    imageSerde.configure(clientSettings, false);
    AvroSerde<PartialInference> partialSerde = new AvroSerde<>(PartialInference.class);
    partialSerde.configure(clientSettings, false);

    ImageRecord good = ImageProducer.record(TinyBundle.IMAGES, 0, "template");
    byte[] goodBytes = imageSerde.serializer().serialize(images, good);
    int imageSchemaId = WireFormat.schemaId(goodBytes);
    int otherSchemaId = cluster.registryClient().register("corpus.other-value",
        SchemaBuilder.record("Other").fields().requiredInt("x").endRecord());
    PartialInference handoff = PartialInference.newBuilder().setId("handoff").setModelName(manifest.name())
        .setModelVersion(manifest.version()).setNextStage(2).setTensor(zeros(manifest.stage(2).inputShape()))
        .build();

    // key -> (topic, value bytes, expected reason)
    List<Object[]> bad = new ArrayList<>();
    bad.add(new Object[] {"bad-magic", images, "{\"id\": 1}".getBytes(StandardCharsets.UTF_8), "BAD_MAGIC_BYTE"});
    bad.add(new Object[] {"truncated", images, new byte[] {0, 0}, "TRUNCATED"});
    bad.add(new Object[] {"unknown-id", images, withId(goodBytes, 987_654), "UNKNOWN_SCHEMA_ID"});
    bad.add(new Object[] {"incompatible", images, withId(goodBytes, otherSchemaId), "INCOMPATIBLE_SCHEMA"});
    bad.add(new Object[] {"absurd-length", images, absurdLength(imageSchemaId), "TRUNCATED"});
    bad.add(new Object[] {"tombstone", images, null, "TOMBSTONE"});
    bad.add(new Object[] {"undecodable", images, image(ImageRecord.newBuilder(good).setEncoding(ImageEncoding.PNG)
        .setWidth(null).setHeight(null).build(), imageSerde, images), "UNDECODABLE_IMAGE"});
    bad.add(new Object[] {"bad-dimensions", images, image(ImageRecord.newBuilder(good).setWidth(9).build(),
        imageSerde, images), "BAD_DIMENSIONS"});
    bad.add(new Object[] {"too-many-pixels", images, image(ImageRecord.newBuilder(good).setWidth(100_000)
        .setHeight(100_000).build(), imageSerde, images), "TOO_MANY_PIXELS"});
    bad.add(new Object[] {"channels", images, image(ImageRecord.newBuilder(good).setChannels(2)
        .setData(ByteBuffer.wrap(new byte[128])).build(), imageSerde, images), "UNSUPPORTED_CHANNELS"});
    bad.add(new Object[] {"encoding", images, image(ImageRecord.newBuilder(good).setEncoding(ImageEncoding.UNKNOWN)
        .build(), imageSerde, images), "UNKNOWN_ENCODING"});
    bad.add(new Object[] {"payload-too-large", images, image(ImageRecord.newBuilder(good).setEncoding(ImageEncoding.PNG)
        .setData(ByteBuffer.wrap(new byte[config.limits().maxPayloadBytes() + 1])).build(), imageSerde, images),
        "PAYLOAD_TOO_LARGE"});
    bad.add(new Object[] {"old-model", stage2, partial(PartialInference.newBuilder(handoff).setModelVersion("0" .repeat(16))
        .build(), partialSerde, stage2), "MODEL_VERSION_MISMATCH"});
    bad.add(new Object[] {"wrong-stage", stage2, partial(PartialInference.newBuilder(handoff).setNextStage(3).build(),
        partialSerde, stage2), "WRONG_STAGE"});
    bad.add(new Object[] {"wrong-shape", stage2, partial(PartialInference.newBuilder(handoff)
        .setTensor(zeros(List.of(1L, 2L, 3L))).build(), partialSerde, stage2), "TENSOR_SHAPE_MISMATCH"});
    Tensor nan = zeros(manifest.stage(2).inputShape());
    nan.getData().order(ByteOrder.LITTLE_ENDIAN).putFloat(0, Float.NaN);
    bad.add(new Object[] {"nan-tensor", stage2, partial(PartialInference.newBuilder(handoff).setTensor(nan).build(),
        partialSerde, stage2), "MALFORMED_TENSOR"});
    List<Integer> shape2 = manifest.stage(2).inputShape().stream().map(Long::intValue).toList();
    int elements2 = shape2.stream().reduce(1, (a, b) -> a * b);
    bad.add(new Object[] {"int8-without-scales", stage2, partial(PartialInference.newBuilder(handoff)
        .setTensor(new Tensor(shape2, TensorDType.INT8, ByteBuffer.allocate(elements2), null)).build(), partialSerde,
        stage2), "MALFORMED_TENSOR"});
    bad.add(new Object[] {"float16-short", stage2, partial(PartialInference.newBuilder(handoff)
        .setTensor(new Tensor(shape2, TensorDType.FLOAT16, ByteBuffer.allocate(elements2), null)).build(), partialSerde,
        stage2), "MALFORMED_TENSOR"});

    Map<String, String> stages14 = new HashMap<>(settings);
    stages14.put(AppConfig.STAGES, "1-4");
    Map<String, String> stages24 = new HashMap<>(settings);
    stages24.put(AppConfig.STAGES, "2-4");
    List<String> goodIds = new ArrayList<>();
    try (PipelineInstance all = PipelineInstance.start(AppConfig.from(stages14));
        PipelineInstance deep = PipelineInstance.start(AppConfig.from(stages24));
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers",
            cluster.kafka.bootstrapServers(), "max.request.size", 8 << 20), new ByteArraySerializer(),
            new ByteArraySerializer())) {
      for (int i = 0; i < bad.size(); i++) {
        String id = "good-" + i;
        goodIds.add(id);
        producer.send(new ProducerRecord<>(images, id.getBytes(StandardCharsets.UTF_8),
            imageSerde.serializer().serialize(images, ImageProducer.record(TinyBundle.IMAGES, i, id))));
        Object[] c = bad.get(i);
        producer.send(new ProducerRecord<>((String) c[1], ((String) c[0]).getBytes(StandardCharsets.UTF_8),
            (byte[]) c[2])).get(); // each must reach the broker: a lost send would pass for a lost dead letter
      }
      goodIds.add("handoff");
      producer.send(new ProducerRecord<>(stage2, "handoff".getBytes(StandardCharsets.UTF_8),
          partialSerde.serializer().serialize(stage2, handoff)));
      producer.flush();

      try (CommittedResults results = new CommittedResults(cluster.kafka.bootstrapServers(),
          cluster.registry.confluentUrl(), config.topics().classifications(), config.topics().dlq())) {
        assertTrue(results.awaitAnswered(goodIds.size(), Duration.ofSeconds(90)), results.answers().toString());
        Map<String, String> reasons = deadLetters(config.topics().dlq(), bad.size());
        Map<String, String> expected = new LinkedHashMap<>();
        bad.forEach(c -> expected.put((String) c[0], (String) c[3]));
        assertEquals(expected, reasons);
        long settle = System.nanoTime() + Duration.ofSeconds(2).toNanos();
        while (System.nanoTime() < settle) {
          results.poll();
        }
        Map<String, Integer> once = new HashMap<>();
        goodIds.forEach(id -> once.put(id, 1));
        assertEquals(once, results.answers(), "every good image answered, once; nothing else answered");
      }
    }
  }

  private static Map<String, String> deadLetters(String topic, int count) {
    Map<String, Object> config = new HashMap<>();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.kafka.bootstrapServers());
    config.put(ConsumerConfig.GROUP_ID_CONFIG, "corpus-dlq-" + UUID.randomUUID());
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    Map<String, String> reasons = new LinkedHashMap<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(),
        new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (reasons.size() < count && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(r -> reasons.put(new String(r.key(), StandardCharsets.UTF_8),
            DeadLetters.header(r.headers(), DeadLetters.REASON)));
      }
    }
    return reasons;
  }

  private static byte[] image(ImageRecord record, AvroSerde<ImageRecord> serde, String topic) {
    return serde.serializer().serialize(topic, record);
  }

  private static byte[] partial(PartialInference record, AvroSerde<PartialInference> serde, String topic) {
    return serde.serializer().serialize(topic, record);
  }

  private static Tensor zeros(List<Long> shape) {
    long elements = shape.stream().mapToLong(Long::longValue).reduce(1, (a, b) -> a * b);
    return new Tensor(shape.stream().map(Long::intValue).toList(), TensorDType.FLOAT32,
        ByteBuffer.allocate((int) elements * Float.BYTES), null);
  }

  private static byte[] withId(byte[] payload, int id) {
    byte[] copy = payload.clone();
    ByteBuffer.wrap(copy).putInt(1, id);
    return copy;
  }

  /** A 12-byte ImageRecord whose id claims to be a 2 GB string. */
  private static byte[] absurdLength(int schemaId) {
    ByteBuffer payload = ByteBuffer.allocate(12);
    payload.put(WireFormat.MAGIC_BYTE).putInt(schemaId);
    long zigzag = (long) (Integer.MAX_VALUE - 8) << 1;
    while ((zigzag & ~0x7FL) != 0) {
      payload.put((byte) ((zigzag & 0x7F) | 0x80));
      zigzag >>>= 7;
    }
    payload.put((byte) zigzag).put((byte) 'x').put((byte) 'y');
    return payload.array();
  }
}
