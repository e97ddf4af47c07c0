package io.aepstreams.schemas.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aepstreams.records.ImageRecord;
import io.aepstreams.schemas.registry.InMemorySchemaRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WireFormatTest {
  private final String scope = "wire-" + UUID.randomUUID();
  private final InMemorySchemaRegistry registry = InMemorySchemaRegistry.scope(scope);
  private final AvroSerializer<ImageRecord> serializer = new AvroSerializer<>(registry);
  private final AvroDeserializer<ImageRecord> deserializer = AvroDeserializer.forClass(ImageRecord.class, registry);

  @AfterEach
  void dropScope() {
    InMemorySchemaRegistry.dropScope(scope);
  }

  @Test
  void headerIsMagicByteThenBigEndianSchemaIdThenPlainAvro() throws IOException {
    // Push the id past one byte so that byte order shows: 258 = 0x00000102.
    for (int i = 1; i <= 257; i++) {
      registry.register("filler-" + i, SchemaBuilder.record("Filler" + i).fields().requiredInt("x").endRecord());
    }
    ImageRecord image = SampleRecords.image();
    byte[] payload = serializer.serialize("aep.images", image);

    assertArrayEquals(new byte[] {0x00, 0x00, 0x00, 0x01, 0x02}, Arrays.copyOf(payload, 5));
    assertEquals(258, WireFormat.schemaId(payload));
    ByteArrayOutputStream plain = new ByteArrayOutputStream();
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(plain, null);
    new SpecificDatumWriter<>(ImageRecord.getClassSchema(), SpecificData.getForClass(ImageRecord.class))
        .write(image, encoder);
    encoder.flush();
    assertArrayEquals(plain.toByteArray(), Arrays.copyOfRange(payload, 5, payload.length));
  }

  @Test
  void writeHeaderPutsFiveBytes() {
    ByteBuffer buffer = ByteBuffer.allocate(5);
    WireFormat.writeHeader(buffer, 0x0A0B0C0D);
    assertArrayEquals(new byte[] {0, 0x0A, 0x0B, 0x0C, 0x0D}, buffer.array());
  }

  @Test
  void badMagicByteIsNamed() {
    WireFormatException e = assertThrows(WireFormatException.class,
        () -> deserializer.deserialize("aep.images", "{\"id\":1}".getBytes()));
    assertEquals(WireFormatException.Reason.BAD_MAGIC_BYTE, e.reason());
    assertTrue(e.getMessage().startsWith("Unknown magic byte 0x7b: expected 0x00"), e.getMessage());
  }

  @Test
  void payloadShorterThanHeaderIsTruncated() {
    WireFormatException e = assertThrows(WireFormatException.class,
        () -> deserializer.deserialize("aep.images", new byte[] {0, 0, 1}));
    assertEquals(WireFormatException.Reason.TRUNCATED, e.reason());
    assertEquals("Payload of 3 bytes is shorter than the 5-byte Confluent wire-format header", e.getMessage());
  }

  @Test
  void bodyThatEndsEarlyIsTruncated() {
    byte[] payload = serializer.serialize("aep.images", SampleRecords.image());
    WireFormatException e = assertThrows(WireFormatException.class,
        () -> deserializer.deserialize("aep.images", Arrays.copyOf(payload, 40)));
    assertEquals(WireFormatException.Reason.TRUNCATED, e.reason());
    // The bounds check finds it first: the pixels' length is more than the 35-byte body holds.
    assertTrue(e.getMessage().startsWith("Avro body claims a bytes value of 784 bytes with 25 left"), e.getMessage());
  }

  @Test
  void bytesLeftOverAreMalformed() {
    byte[] payload = serializer.serialize("aep.images", SampleRecords.image());
    byte[] longer = Arrays.copyOf(payload, payload.length + 2);
    WireFormatException e = assertThrows(WireFormatException.class,
        () -> deserializer.deserialize("aep.images", longer));
    assertEquals(WireFormatException.Reason.MALFORMED_BODY, e.reason());
    assertTrue(e.getMessage().contains("bytes left over"), e.getMessage());
  }

  @Test
  void unknownSchemaIdIsNamed() {
    byte[] payload = serializer.serialize("aep.images", SampleRecords.image());
    ByteBuffer.wrap(payload).putInt(1, 999);
    WireFormatException e = assertThrows(WireFormatException.class,
        () -> deserializer.deserialize("aep.images", payload));
    assertEquals(WireFormatException.Reason.UNKNOWN_SCHEMA_ID, e.reason());
    assertTrue(e.getMessage().startsWith("Schema id 999 is not known to the registry mock://" + scope),
        e.getMessage());
  }

  @Test
  void incompatibleWriterSchemaIsNamedWithTheField() {
    // Same record name, but the id is a number: no Avro resolution turns an int into a string.
    Schema wrong = SchemaBuilder.record("ImageRecord").namespace("io.aepstreams.records").fields()
        .requiredInt("id").endRecord();
    GenericRecord record = new GenericData.Record(wrong);
    record.put("id", 7);
    byte[] payload;
    try (AvroSerializer<GenericRecord> generic = new AvroSerializer<>(registry)) {
      payload = generic.serialize("other", record);
    }
    WireFormatException e = assertThrows(WireFormatException.class,
        () -> deserializer.deserialize("other", payload));
    assertEquals(WireFormatException.Reason.INCOMPATIBLE_SCHEMA, e.reason());
    assertTrue(e.getMessage().contains("cannot be read as io.aepstreams.records.ImageRecord"), e.getMessage());
    assertTrue(e.getMessage().contains("/fields/0/type"), e.getMessage());
  }
}
