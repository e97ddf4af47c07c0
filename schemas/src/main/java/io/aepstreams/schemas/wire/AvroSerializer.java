package io.aepstreams.schemas.wire;

import io.aepstreams.schemas.registry.SchemaRegistries;
import io.aepstreams.schemas.registry.SchemaRegistryClient;
import io.aepstreams.schemas.registry.SchemaRegistryException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes Avro records (generated or generic) in Confluent's wire format. The record's schema is registered under
 * {@code <topic>-value} (or {@code -key}) on first use, or only looked up when {@code auto.register.schemas} is
 * false; after that the id comes from memory.
 */
public final class AvroSerializer<T extends IndexedRecord> implements Serializer<T> {
  /** Register schemas that are not yet in the registry (true, the default) or fail on them (false). */
  public static final String AUTO_REGISTER = "auto.register.schemas";

  private SchemaRegistryClient registry;
  private boolean autoRegister = true;
  private boolean isKey;
  private final Map<SubjectSchema, Integer> ids = new ConcurrentHashMap<>();
  private final Map<Schema, DatumWriter<T>> writers = new ConcurrentHashMap<>();

  private record SubjectSchema(String subject, Schema schema) {}

  static {
    TrustedRecords.install();
  }

  /** A serializer that takes its registry from {@link #configure}. */
  public AvroSerializer() {}

  /** A serializer bound to {@code registry}; {@link #configure} then only reads the options. */
  public AvroSerializer(SchemaRegistryClient registry) {
    this.registry = registry;
  }

  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {
    this.isKey = isKey;
    Object auto = configs.get(AUTO_REGISTER);
    this.autoRegister = auto == null || Boolean.parseBoolean(auto.toString());
    if (registry == null) {
      registry = SchemaRegistries.connect(configs);
    }
  }

  @Override
  public byte[] serialize(String topic, T record) {
    if (record == null) {
      return null;
    }
    if (registry == null) {
      throw new IllegalStateException("AvroSerializer is not configured: call configure() or pass a registry");
    }
    Schema schema = record.getSchema();
    int id = ids.computeIfAbsent(new SubjectSchema(WireFormat.subject(topic, isKey), schema), this::idFor);
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    ByteBuffer header = ByteBuffer.allocate(WireFormat.HEADER_BYTES);
    WireFormat.writeHeader(header, id);
    out.writeBytes(header.array());
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
    try {
      writers.computeIfAbsent(schema, s -> writerFor(record)).write(record, encoder);
      encoder.flush();
    } catch (IOException | RuntimeException e) {
      throw new SerializationException("cannot write " + schema.getFullName() + " for topic " + topic + ": " + e, e);
    }
    return out.toByteArray();
  }

  private int idFor(SubjectSchema key) {
    if (autoRegister) {
      return registry.register(key.subject(), key.schema());
    }
    return registry.idOf(key.subject(), key.schema()).orElseThrow(() -> new SchemaRegistryException(
        "schema " + key.schema().getFullName() + " is not registered under subject '" + key.subject()
            + "' and " + AUTO_REGISTER + " is false", 404, 40403, null));
  }

  private DatumWriter<T> writerFor(T record) {
    Schema schema = record.getSchema();
    if (record instanceof SpecificRecord) {
      // The class's own model carries its logical-type conversions (timestamps as Instant).
      return new SpecificDatumWriter<>(schema, SpecificData.getForClass(record.getClass()));
    }
    return new GenericDatumWriter<>(schema, GenericData.get());
  }
}
