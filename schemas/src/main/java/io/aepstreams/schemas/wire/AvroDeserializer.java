package io.aepstreams.schemas.wire;

import io.aepstreams.schemas.registry.SchemaNotFoundException;
import io.aepstreams.schemas.registry.SchemaProblems;
import io.aepstreams.schemas.registry.SchemaRegistries;
import io.aepstreams.schemas.registry.SchemaRegistryClient;
import java.io.EOFException;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads Confluent wire-format payloads into a fixed reader schema: the writer's schema comes from the registry by
 * the id in the header, and Avro's schema resolution maps it onto the reader's, so records written with an older
 * or newer compatible schema still read (added fields take their defaults, removed ones are skipped).
 *
 * <p>Every way a payload can be wrong is a {@link WireFormatException} with its {@link WireFormatException.Reason};
 * a registry that cannot be reached is a {@code SchemaRegistryException} instead (not the record's fault).
 */
public final class AvroDeserializer<T> implements Deserializer<T> {
  private final Schema readerSchema;
  private final GenericData model;
  private final Map<Integer, Decoding<T>> decodingByWriterId = new ConcurrentHashMap<>();
  private SchemaRegistryClient registry;

  static {
    TrustedRecords.install();
  }

  /** What reading one writer id takes: the writer's schema (to check the body against) and the datum reader. */
  private record Decoding<T>(Schema writer, DatumReader<T> reader) {}

  private AvroDeserializer(Schema readerSchema, GenericData model, SchemaRegistryClient registry) {
    this.readerSchema = readerSchema;
    this.model = model;
    this.registry = registry;
  }

  /** Reads into the generated class {@code type}; the registry comes from {@link #configure}. */
  public static <T extends SpecificRecord> AvroDeserializer<T> forClass(Class<T> type) {
    return forClass(type, null);
  }

  /** Reads into the generated class {@code type} with a given registry. */
  public static <T extends SpecificRecord> AvroDeserializer<T> forClass(Class<T> type, SchemaRegistryClient registry) {
    SpecificData model = SpecificData.getForClass(type);
    return new AvroDeserializer<>(model.getSchema(type), model, registry);
  }

  /** Reads into generic records of {@code readerSchema} (a tool's or an older reader's view). */
  public static AvroDeserializer<GenericRecord> generic(Schema readerSchema, SchemaRegistryClient registry) {
    return new AvroDeserializer<>(readerSchema, GenericData.get(), registry);
  }

  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {
    if (registry == null) {
      registry = SchemaRegistries.connect(configs);
    }
  }

  @Override
  public T deserialize(String topic, byte[] payload) {
    if (payload == null) {
      return null;
    }
    if (registry == null) {
      throw new IllegalStateException("AvroDeserializer is not configured: call configure() or pass a registry");
    }
    int id = WireFormat.schemaId(payload);
    Decoding<T> decoding = decodingByWriterId.computeIfAbsent(id, this::decodingFor);
    int bodyBytes = payload.length - WireFormat.HEADER_BYTES;
    try {
      AvroBounds.check(decoding.writer(), payload, WireFormat.HEADER_BYTES, bodyBytes);
    } catch (WireFormatException e) {
      throw new WireFormatException(e.reason(), e.getMessage() + " (schema id " + id + ", topic " + topic + ")");
    }
    BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(payload, WireFormat.HEADER_BYTES, bodyBytes, null);
    T record;
    try {
      record = decoding.reader().read(null, decoder);
    } catch (EOFException e) {
      throw new WireFormatException(WireFormatException.Reason.TRUNCATED, "Avro body of "
          + bodyBytes + " bytes ends before the record does (schema id " + id + ", topic " + topic + ")", e);
    } catch (IOException | RuntimeException | OutOfMemoryError | StackOverflowError e) {
      // Only decoding runs here: whatever it throws, errors included, is the payload's fault, never a reason to
      // fail the task and read the same offset again forever.
      throw new WireFormatException(WireFormatException.Reason.MALFORMED_BODY, "Avro body does not decode with "
          + "schema id " + id + " (topic " + topic + "): " + e, e);
    }
    try {
      if (!decoder.isEnd()) {
        throw new WireFormatException(WireFormatException.Reason.MALFORMED_BODY, "Avro body has bytes left over "
            + "after the record (schema id " + id + ", topic " + topic + "): wrong schema id?");
      }
    } catch (IOException e) {
      throw new WireFormatException(WireFormatException.Reason.MALFORMED_BODY, e.getMessage(), e);
    }
    return record;
  }

  private Decoding<T> decodingFor(int id) {
    Schema writerSchema;
    try {
      writerSchema = registry.schemaById(id);
    } catch (SchemaNotFoundException e) {
      throw new WireFormatException(WireFormatException.Reason.UNKNOWN_SCHEMA_ID,
          "Schema id " + id + " is not known to the registry " + registry + ": " + e.getMessage(), e);
    }
    SchemaCompatibility.SchemaPairCompatibility compatibility =
        SchemaCompatibility.checkReaderWriterCompatibility(readerSchema, writerSchema);
    if (compatibility.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
      throw new WireFormatException(WireFormatException.Reason.INCOMPATIBLE_SCHEMA, "Writer schema id " + id + " ("
          + writerSchema.getFullName() + ") cannot be read as " + readerSchema.getFullName() + ": "
          + SchemaProblems.describe(compatibility));
    }
    if (model instanceof SpecificData specific) {
      return new Decoding<>(writerSchema, new SpecificDatumReader<>(writerSchema, readerSchema, specific));
    }
    return new Decoding<>(writerSchema, new GenericDatumReader<>(writerSchema, readerSchema, model));
  }
}
