package io.aepstreams.schemas.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aepstreams.records.Classification;
import io.aepstreams.records.ImageRecord;
import io.aepstreams.records.PartialInference;
import io.aepstreams.records.Quantization;
import io.aepstreams.records.Tensor;
import io.aepstreams.records.TensorDType;
import java.util.List;
import org.apache.avro.generic.GenericRecordBuilder;
import io.aepstreams.schemas.registry.CanonicalSchema;
import io.aepstreams.schemas.registry.InMemorySchemaRegistry;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * ImageRecord's current schema adds {@code attributes} (with a default) to an older one without it, and Tensor adds
 * {@code quantization} (null by default) for encoded hand-offs: data written with either must read with the other,
 * through the registry and the wire format.
 */
class SchemaEvolutionTest {
  private final String scope = "evolution-" + UUID.randomUUID();
  private final InMemorySchemaRegistry registry = InMemorySchemaRegistry.scope(scope);

  @AfterEach
  void dropScope() {
    InMemorySchemaRegistry.dropScope(scope);
  }

  /** The current ImageRecord schema with the {@code attributes} field taken out. */
  static Schema olderImageRecord() throws Exception {
    ObjectMapper json = new ObjectMapper();
    ObjectNode tree = (ObjectNode) json.readTree(CanonicalSchema.text(ImageRecord.getClassSchema()));
    ArrayNode fields = (ArrayNode) tree.get("fields");
    for (int i = 0; i < fields.size(); i++) {
      if (fields.get(i).get("name").asText().equals("attributes")) {
        fields.remove(i);
      }
    }
    return new Schema.Parser().parse(tree.toString());
  }

  @Test
  void olderWriterReadsIntoCurrentClassWithTheDefault() throws Exception {
    Schema older = olderImageRecord();
    GenericRecord old = new GenericData.Record(older);
    old.put("id", "old-1");
    old.put("encoding", new GenericData.EnumSymbol(older.getField("encoding").schema(), "PNG"));
    old.put("data", ByteBuffer.wrap(new byte[] {9, 8, 7}));
    old.put("label", 5);
    byte[] payload;
    try (AvroSerializer<GenericRecord> olderProducer = new AvroSerializer<>(registry)) {
      payload = olderProducer.serialize("aep.images", old);
    }

    ImageRecord read = AvroDeserializer.forClass(ImageRecord.class, registry).deserialize("aep.images", payload);

    assertEquals("old-1", read.getId());
    assertEquals(io.aepstreams.records.ImageEncoding.PNG, read.getEncoding());
    assertEquals(5, read.getLabel());
    assertEquals(Map.of(), read.getAttributes());
  }

  @Test
  void currentWriterReadsIntoOlderSchemaSkippingTheNewField() throws Exception {
    Schema older = olderImageRecord();
    ImageRecord current = SampleRecords.image();
    byte[] payload = new AvroSerializer<ImageRecord>(registry).serialize("aep.images", current);

    GenericRecord read = AvroDeserializer.generic(older, registry).deserialize("aep.images", payload);

    assertEquals(current.getId(), read.get("id").toString());
    assertEquals(current.getLabel(), read.get("label"));
    assertEquals(current.getData(), read.get("data"));
    assertFalse(read.hasField("attributes"));
  }

  @Test
  void bothVersionsLiveUnderOneSubjectWithTheirOwnIds() throws Exception {
    int olderId = registry.register("aep.images-value", olderImageRecord());
    assertTrue(registry.isCompatible("aep.images-value", ImageRecord.getClassSchema()));
    int currentId = registry.register("aep.images-value", ImageRecord.getClassSchema());
    assertNotEquals(olderId, currentId);
    assertEquals(2, registry.latest("aep.images-value").version());
  }

  /** PartialInference as it was before hand-offs were encoded: its Tensor without {@code quantization}. */
  static Schema olderPartialInference() throws Exception {
    ObjectMapper json = new ObjectMapper();
    ObjectNode tree = (ObjectNode) json.readTree(CanonicalSchema.text(PartialInference.getClassSchema()));
    for (com.fasterxml.jackson.databind.JsonNode field : tree.get("fields")) {
      if (field.get("name").asText().equals("tensor")) {
        ArrayNode tensorFields = (ArrayNode) field.get("type").get("fields");
        for (int i = 0; i < tensorFields.size(); i++) {
          if (tensorFields.get(i).get("name").asText().equals("quantization")) {
            tensorFields.remove(i);
          }
        }
      }
    }
    Schema older = new Schema.Parser().parse(tree.toString());
    assertFalse(older.getField("tensor").schema().getFields().stream().anyMatch(f -> f.name().equals("quantization")),
        "precondition: the older schema has no quantization");
    return older;
  }

  @Test
  void aHandOffFromAnOlderWriterReadsAsFloat32WithoutQuantization() throws Exception {
    Schema older = olderPartialInference();
    Schema tensorSchema = older.getField("tensor").schema();
    GenericRecord tensor = new GenericRecordBuilder(tensorSchema).set("shape", List.of(2))
        .set("dtype", new GenericData.EnumSymbol(tensorSchema.getField("dtype").schema(), "FLOAT32"))
        .set("data", ByteBuffer.wrap(new byte[8])).build();
    GenericRecord old = new GenericRecordBuilder(older).set("id", "old-2").set("modelName", "m")
        .set("modelVersion", "v").set("nextStage", 2).set("tensor", tensor).build();
    byte[] payload;
    try (AvroSerializer<GenericRecord> olderProducer = new AvroSerializer<>(registry)) {
      payload = olderProducer.serialize("aep.stage-2", old);
    }

    PartialInference read = AvroDeserializer.forClass(PartialInference.class, registry)
        .deserialize("aep.stage-2", payload);

    assertEquals(TensorDType.FLOAT32, read.getTensor().getDtype());
    assertEquals(null, read.getTensor().getQuantization());
    assertEquals(List.of(2), read.getTensor().getShape());
  }

  @Test
  void anInt8HandOffReadsIntoTheOlderSchemaWithItsDtypeSoAnOlderReaderCanRefuseIt() throws Exception {
    Schema older = olderPartialInference();
    PartialInference current = PartialInference.newBuilder(SampleRecords.partial())
        .setTensor(new Tensor(List.of(2, 1), TensorDType.INT8, ByteBuffer.wrap(new byte[] {1, -3}),
            new Quantization(0, List.of(0.5f, 0.25f), List.of(0, -2))))
        .build();
    byte[] payload = new AvroSerializer<PartialInference>(registry).serialize("aep.stage-2", current);

    GenericRecord read = AvroDeserializer.generic(older, registry).deserialize("aep.stage-2", payload);

    GenericRecord tensor = (GenericRecord) read.get("tensor");
    assertEquals("INT8", tensor.get("dtype").toString());
    assertFalse(tensor.hasField("quantization"));
    assertEquals(current.getId(), read.get("id").toString());
  }

  @Test
  void theEncodedHandOffSchemaIsCompatibleWithTheOlderOneBothWays() throws Exception {
    Schema older = olderPartialInference();
    registry.register("aep.stage-2-value", older);
    assertTrue(registry.isCompatible("aep.stage-2-value", PartialInference.getClassSchema()));
    registry.register("aep.stage-2-value", PartialInference.getClassSchema());
    assertTrue(registry.isCompatible("aep.stage-2-value", older), "a rollback to the older reader is allowed");
  }

  /** {@code current} with its top-level field {@code name} taken out: the schema before that field was added. */
  static Schema without(Schema current, String name) throws Exception {
    ObjectNode tree = (ObjectNode) new ObjectMapper().readTree(CanonicalSchema.text(current));
    ArrayNode fields = (ArrayNode) tree.get("fields");
    for (int i = 0; i < fields.size(); i++) {
      if (fields.get(i).get("name").asText().equals(name)) {
        fields.remove(i);
      }
    }
    Schema older = new Schema.Parser().parse(tree.toString());
    assertTrue(older.getField(name) == null, "precondition: the older schema has no " + name);
    return older;
  }

  /** The fields adaptive exits added: which point decided a result, and the early answer an audit copy carries. */
  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.CsvSource({"Classification, operatingPoint, aep.classifications",
      "PartialInference, audit, aep.stage-2"})
  void theAdaptiveExitFieldsReadBothWaysWithOlderSchemas(String record, String field, String topic)
      throws Exception {
    org.apache.avro.specific.SpecificRecord current = record.equals("Classification")
        ? Classification.newBuilder(SampleRecords.classification()).setOperatingPoint(
            new io.aepstreams.records.OperatingPointRef(3, 1.0, io.aepstreams.records.PointSetter.CONTROLLER)).build()
        : PartialInference.newBuilder(SampleRecords.partial()).setAudit(new io.aepstreams.records.EarlyAnswer(2, 7))
            .build();
    Schema older = without(current.getSchema(), field);
    String subject = topic + "-value";
    registry.register(subject, older);
    assertTrue(registry.isCompatible(subject, current.getSchema()), "the new schema may follow the older one");
    registry.register(subject, current.getSchema());
    assertTrue(registry.isCompatible(subject, older), "a rollback to the older reader is allowed");

    // a new writer, an older reader: the field is skipped
    byte[] payload = new AvroSerializer<org.apache.avro.specific.SpecificRecord>(registry).serialize(topic, current);
    GenericRecord read = AvroDeserializer.generic(older, registry).deserialize(topic, payload);
    assertFalse(read.hasField(field));
    assertEquals(current.get(current.getSchema().getField("id").pos()).toString(), read.get("id").toString());

    // an older writer, the new reader: the field is null
    // the same record as an older writer would have made it: the current one projected onto the older schema
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    org.apache.avro.io.BinaryEncoder encoder = org.apache.avro.io.EncoderFactory.get().binaryEncoder(bytes, null);
    new org.apache.avro.specific.SpecificDatumWriter<org.apache.avro.specific.SpecificRecord>(current.getSchema())
        .write(current, encoder);
    encoder.flush();
    GenericRecord old = new org.apache.avro.generic.GenericDatumReader<GenericRecord>(current.getSchema(), older)
        .read(null, org.apache.avro.io.DecoderFactory.get().binaryDecoder(bytes.toByteArray(), null));
    byte[] oldPayload = new AvroSerializer<GenericRecord>(registry).serialize(topic, old);
    Class<? extends org.apache.avro.specific.SpecificRecord> type = current.getClass();
    org.apache.avro.specific.SpecificRecord back = AvroDeserializer.forClass(type, registry).deserialize(topic,
        oldPayload);
    assertEquals(null, back.get(back.getSchema().getField(field).pos()));
  }
}
