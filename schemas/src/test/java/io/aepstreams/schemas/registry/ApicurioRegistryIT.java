package io.aepstreams.schemas.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aepstreams.records.Classification;
import io.aepstreams.records.ImageRecord;
import io.aepstreams.records.PartialInference;
import io.aepstreams.schemas.wire.AvroSerde;
import io.aepstreams.schemas.wire.WireFormat;
import io.aepstreams.schemas.wire.WireFormatException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The HTTP client and the serde against a real registry: Apicurio's Confluent-compatible API. */
class ApicurioRegistryIT {
  private static ApicurioRegistry apicurio;
  private static Map<String, Object> config;

  @BeforeAll
  static void start() throws Exception {
    apicurio = ApicurioRegistry.start();
    config = Map.of(SchemaRegistryConfig.URL, apicurio.confluentUrl());
  }

  @AfterAll
  static void stop() throws Exception {
    if (apicurio != null) {
      apicurio.close();
    }
  }

  private static Schema schemaOf(String record) {
    return switch (record) {
      case "ImageRecord" -> ImageRecord.getClassSchema();
      case "Classification" -> Classification.getClassSchema();
      case "PartialInference" -> PartialInference.getClassSchema();
      default -> throw new IllegalArgumentException(record);
    };
  }

  @ParameterizedTest
  @ValueSource(strings = {"ImageRecord", "Classification", "PartialInference"})
  void registersReadsBackAndRegistersAgainWithTheSameId(String record) {
    HttpSchemaRegistryClient client = new HttpSchemaRegistryClient(SchemaRegistryConfig.from(config));
    String subject = "it." + record + "-value";
    Schema schema = schemaOf(record);

    int id = client.register(subject, schema);

    assertEquals(CanonicalSchema.of(schema), client.schemaById(id));
    assertEquals(id, client.register(subject, schema), "registering the same schema twice gives the same id");
    assertEquals(OptionalInt.of(id), client.idOf(subject, schema));
    RegisteredSchema latest = client.latest(subject);
    assertEquals(id, latest.id());
    assertEquals(1, latest.version());
    assertEquals(CanonicalSchema.of(schema), latest.schema());
  }

  @Test
  void evolvedSchemaIsCompatibleAndGetsANewVersion() {
    HttpSchemaRegistryClient client = new HttpSchemaRegistryClient(SchemaRegistryConfig.from(config));
    Schema v1 = SchemaBuilder.record("Point").namespace("it").fields().requiredInt("x").endRecord();
    Schema v2 = SchemaBuilder.record("Point").namespace("it").fields()
        .requiredInt("x").name("y").type().intType().intDefault(0).endRecord();
    int first = client.register("it.points-value", v1);
    assertTrue(client.isCompatible("it.points-value", v2));
    int second = client.register("it.points-value", v2);
    assertNotEquals(first, second);
    assertEquals(2, client.latest("it.points-value").version());
    assertTrue(client.isCompatible("it.nothing-yet-value", v1));
  }

  /**
   * Instances starting together all register the result schema at once. Apicurio answers all but one 409
   * "already exists"; every caller must still get the one id.
   */
  @Test
  void manyClientsRegisteringOneSchemaAtOnceAllGetTheSameId() throws Exception {
    int clients = 12;
    for (int round = 0; round < 3; round++) {
      String subject = "it.race-" + round + "-value";
      CountDownLatch ready = new CountDownLatch(clients);
      CountDownLatch go = new CountDownLatch(1);
      ExecutorService pool = Executors.newFixedThreadPool(clients);
      try {
        List<Future<Integer>> ids = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
          HttpSchemaRegistryClient client = new HttpSchemaRegistryClient(SchemaRegistryConfig.from(config));
          ids.add(pool.submit(() -> {
            ready.countDown();
            go.await();
            return client.register(subject, Classification.getClassSchema());
          }));
        }
        ready.await();
        go.countDown();
        Set<Integer> distinct = new HashSet<>();
        for (Future<Integer> id : ids) {
          distinct.add(id.get(60, TimeUnit.SECONDS));
        }
        assertEquals(1, distinct.size(), "round " + round + ": ids " + distinct);
        HttpSchemaRegistryClient check = new HttpSchemaRegistryClient(SchemaRegistryConfig.from(config));
        assertEquals(OptionalInt.of(distinct.iterator().next()), check.idOf(subject, Classification.getClassSchema()));
        // Apicurio may store the identical schema as a second version when two creations cross; the id, which
        // is what goes on the wire, is the same either way.
        assertEquals(distinct.iterator().next(), check.latest(subject).id());
      } finally {
        pool.shutdownNow();
      }
    }
  }

  @Test
  void unknownIdAndSubjectAreNotFound() {
    HttpSchemaRegistryClient client = new HttpSchemaRegistryClient(SchemaRegistryConfig.from(config));
    assertThrows(SchemaNotFoundException.class, () -> client.schemaById(987_654));
    assertThrows(SchemaNotFoundException.class, () -> client.latest("it.no-such-subject-value"));
    assertEquals(OptionalInt.empty(), client.idOf("it.no-such-subject-value", ImageRecord.getClassSchema()));
  }

  @Test
  void everyRecordTypeRoundTripsThroughTheSerde() {
    ImageRecord image = ImageRecord.newBuilder().setId("it-1")
        .setEncoding(io.aepstreams.records.ImageEncoding.RAW_U8).setData(ByteBuffer.wrap(new byte[] {1, 2, 3, 4}))
        .setWidth(2).setHeight(2).setChannels(1).setLabel(1).setSentAt(Instant.ofEpochMilli(1_000L)).build();
    Classification result = Classification.newBuilder().setId("it-1").setClassIndex(1).setClassName("Trouser")
        .setConfidence(0.9).setExitStage(1).setModelName("m").setModelVersion("v")
        .setDecidedAt(Instant.ofEpochMilli(2_000L)).build();
    PartialInference partial = PartialInference.newBuilder().setId("it-1").setModelName("m").setModelVersion("v")
        .setNextStage(2).setTensor(new io.aepstreams.records.Tensor(List.of(1), io.aepstreams.records.TensorDType.FLOAT32,
            ByteBuffer.wrap(new byte[4]), null)).build();

    assertEquals(image, roundTrip(ImageRecord.class, image, "it.images"));
    assertEquals(result, roundTrip(Classification.class, result, "it.classifications"));
    assertEquals(partial, roundTrip(PartialInference.class, partial, "it.stage-2"));
  }

  @Test
  void payloadWithAnUnknownIdIsRejectedWithItsReason() {
    try (AvroSerde<ImageRecord> serde = new AvroSerde<>(ImageRecord.class)) {
      serde.configure(config, false);
      byte[] payload = new byte[] {WireFormat.MAGIC_BYTE, 0, 0x0F, 0x42, 0x3F, 0};
      WireFormatException e = assertThrows(WireFormatException.class,
          () -> serde.deserializer().deserialize("it.images", payload));
      assertEquals(WireFormatException.Reason.UNKNOWN_SCHEMA_ID, e.reason());
      assertFalse(e.getMessage().isBlank());
    }
  }

  private static <T extends SpecificRecord> T roundTrip(Class<T> type, T record, String topic) {
    try (AvroSerde<T> serde = new AvroSerde<>(type)) {
      serde.configure(config, false);
      byte[] bytes = serde.serializer().serialize(topic, record);
      return serde.deserializer().deserialize(topic, bytes);
    }
  }
}
