package io.aepstreams.schemas.wire;

import io.aepstreams.schemas.registry.SchemaRegistryClient;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serdes;

/** Serde for a generated record class on Confluent's wire format. */
public final class AvroSerde<T extends SpecificRecord> extends Serdes.WrapperSerde<T> {

  /** A serde whose registry comes from {@code configure} ({@code schema.registry.url} and friends). */
  public AvroSerde(Class<T> type) {
    super(new AvroSerializer<>(), AvroDeserializer.forClass(type));
  }

  /** A serde bound to {@code registry}. */
  public AvroSerde(Class<T> type, SchemaRegistryClient registry) {
    super(new AvroSerializer<>(registry), AvroDeserializer.forClass(type, registry));
  }
}
