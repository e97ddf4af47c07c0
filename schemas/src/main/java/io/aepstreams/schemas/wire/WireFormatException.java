package io.aepstreams.schemas.wire;

import org.apache.kafka.common.errors.SerializationException;

/**
 * A payload that cannot be read as a record. A {@link SerializationException}, so Kafka Streams hands it to the
 * deserialization exception handler (and so to the dead-letter queue); {@link #reason()} is what goes in the
 * record's headers there.
 */
public class WireFormatException extends SerializationException {

  /** What is wrong with the payload. */
  public enum Reason {
    /** The first byte is not 0x00: not Confluent's wire format (plain JSON, a string, another serde). */
    BAD_MAGIC_BYTE,
    /** Shorter than the 5-byte header, or the Avro body ends early. */
    TRUNCATED,
    /** The registry knows no schema with the payload's id. */
    UNKNOWN_SCHEMA_ID,
    /** The writer's schema cannot be resolved into the reader's. */
    INCOMPATIBLE_SCHEMA,
    /** The body does not decode with the writer's schema, or has bytes left over. */
    MALFORMED_BODY
  }

  private final Reason reason;

  public WireFormatException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  public WireFormatException(Reason reason, String message) {
    this(reason, message, null);
  }

  public Reason reason() {
    return reason;
  }
}
