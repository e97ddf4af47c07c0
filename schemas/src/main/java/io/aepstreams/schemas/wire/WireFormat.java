package io.aepstreams.schemas.wire;

import java.nio.ByteBuffer;

/**
 * Confluent's wire format: byte 0 is the magic byte 0x00, bytes 1-4 the schema id (big-endian), then the Avro
 * binary encoding of the record. Subjects follow the topic name strategy: {@code <topic>-value} and
 * {@code <topic>-key}.
 */
public final class WireFormat {
  public static final byte MAGIC_BYTE = 0x0;
  public static final int HEADER_BYTES = 5;

  private WireFormat() {}

  /** The subject a topic's values (or keys) are registered under. */
  public static String subject(String topic, boolean isKey) {
    return topic + (isKey ? "-key" : "-value");
  }

  /** Writes the 5-byte header for schema {@code id} at the buffer's position. */
  public static void writeHeader(ByteBuffer buffer, int id) {
    buffer.put(MAGIC_BYTE).putInt(id);
  }

  /** The schema id in {@code payload}'s header, after checking the header is there and well-formed. */
  public static int schemaId(byte[] payload) {
    if (payload.length < HEADER_BYTES) {
      throw new WireFormatException(WireFormatException.Reason.TRUNCATED, "Payload of " + payload.length
          + " bytes is shorter than the " + HEADER_BYTES + "-byte Confluent wire-format header");
    }
    if (payload[0] != MAGIC_BYTE) {
      throw new WireFormatException(WireFormatException.Reason.BAD_MAGIC_BYTE, String.format(
          "Unknown magic byte 0x%02x: expected 0x00, the Confluent wire format (was this record written by "
              + "another serializer?)", payload[0] & 0xff));
    }
    return ByteBuffer.wrap(payload, 1, 4).getInt();
  }
}
