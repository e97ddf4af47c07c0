package io.aepstreams.schemas.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aepstreams.records.Classification;
import io.aepstreams.records.ImageRecord;
import io.aepstreams.records.PartialInference;
import io.aepstreams.schemas.registry.InMemorySchemaRegistry;
import io.aepstreams.schemas.registry.SchemaRegistryConfig;
import io.aepstreams.schemas.registry.SchemaRegistryException;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AvroSerdeTest {
  private final String scope = "serde-" + UUID.randomUUID();
  private final Map<String, Object> config = Map.of(SchemaRegistryConfig.URL, "mock://" + scope);

  @AfterEach
  void dropScope() {
    InMemorySchemaRegistry.dropScope(scope);
  }

  private <T extends SpecificRecord> T roundTrip(Class<T> type, T record, String topic) {
    try (AvroSerde<T> serde = new AvroSerde<>(type)) {
      serde.configure(config, false);
      byte[] bytes = serde.serializer().serialize(topic, record);
      return serde.deserializer().deserialize(topic, bytes);
    }
  }

  @Test
  void imageRecordRoundTripsWithEveryField() {
    ImageRecord image = SampleRecords.image();
    assertEquals(image, roundTrip(ImageRecord.class, image, "aep.images"));
  }

  @Test
  void classificationRoundTripsWithEveryField() {
    Classification result = SampleRecords.classification();
    assertEquals(result, roundTrip(Classification.class, result, "aep.classifications"));
  }

  @Test
  void partialInferenceRoundTripsWithEveryField() {
    PartialInference partial = SampleRecords.partial();
    PartialInference back = roundTrip(PartialInference.class, partial, "aep.stage-2");
    assertEquals(partial, back);
    assertArrayEquals(new byte[] {1, 2, 3}, back.getOriginalKey().array());
  }

  @Test
  void optionalFieldsMayStayUnset() {
    ImageRecord minimal = ImageRecord.newBuilder(SampleRecords.image())
        .setWidth(null).setHeight(null).setChannels(null).setLabel(null).setCapturedAt(null).setSentAt(null)
        .build();
    ImageRecord back = roundTrip(ImageRecord.class, minimal, "aep.images");
    assertNull(back.getLabel());
    assertNull(back.getSentAt());
    assertEquals(minimal, back);
  }

  @Test
  void registersUnderTheTopicValueSubject() {
    roundTrip(ImageRecord.class, SampleRecords.image(), "cameras");
    assertEquals(1, InMemorySchemaRegistry.scope(scope).latest("cameras-value").version());
  }

  @Test
  void keysRegisterUnderTheTopicKeySubject() {
    try (AvroSerializer<ImageRecord> serializer = new AvroSerializer<>()) {
      serializer.configure(config, true);
      serializer.serialize("cameras", SampleRecords.image());
    }
    assertEquals(1, InMemorySchemaRegistry.scope(scope).latest("cameras-key").version());
  }

  @Test
  void nullStaysNull() {
    try (AvroSerde<ImageRecord> serde = new AvroSerde<>(ImageRecord.class)) {
      serde.configure(config, false);
      assertNull(serde.serializer().serialize("t", null));
      assertNull(serde.deserializer().deserialize("t", null));
    }
  }

  @Test
  void withoutAutoRegisterAnUnregisteredSchemaFailsAndARegisteredOneWorks() {
    try (AvroSerializer<ImageRecord> serializer = new AvroSerializer<>()) {
      serializer.configure(Map.of(SchemaRegistryConfig.URL, "mock://" + scope,
          AvroSerializer.AUTO_REGISTER, "false"), false);
      SchemaRegistryException e = assertThrows(SchemaRegistryException.class,
          () -> serializer.serialize("aep.images", SampleRecords.image()));
      assertTrue(e.getMessage().contains("not registered under subject 'aep.images-value'"), e.getMessage());

      int id = InMemorySchemaRegistry.scope(scope).register("aep.images-value", ImageRecord.getClassSchema());
      assertEquals(id, WireFormat.schemaId(serializer.serialize("aep.images", SampleRecords.image())));
    }
  }
}
