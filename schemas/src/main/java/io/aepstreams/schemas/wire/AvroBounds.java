package io.aepstreams.schemas.wire;

import org.apache.avro.Schema;

/**
 * Walks a binary Avro body with its writer's schema and checks every length and item count against the bytes that
 * are left, before a reader allocates for them. Avro's own reader trusts them: a 12-byte payload that claims a
 * 2 GB string makes it allocate 2 GB (OutOfMemoryError) or fail outside its declared exceptions, and a record that
 * cannot be read becomes a loop instead of a dead letter.
 */
final class AvroBounds {
  /** Items of a type that takes no bytes (null, an empty record) are bounded by this instead of by the bytes. */
  static final int MAX_EMPTY_ITEMS = 1 << 16;

  private final byte[] data;
  private final int end;
  private int position;

  private AvroBounds(byte[] data, int offset, int length) {
    this.data = data;
    this.position = offset;
    this.end = offset + length;
  }

  /** Throws a {@link WireFormatException} (TRUNCATED or MALFORMED_BODY) at the first length that cannot be true. */
  static void check(Schema writer, byte[] data, int offset, int length) {
    try {
      new AvroBounds(data, offset, length).skip(writer);
    } catch (StackOverflowError e) {
      throw malformed("nests deeper than a reader can follow");
    }
  }

  private void skip(Schema schema) {
    switch (schema.getType()) {
      case NULL -> { }
      case BOOLEAN -> take(1);
      case INT, LONG, ENUM -> readLong();
      case FLOAT -> take(4);
      case DOUBLE -> take(8);
      case FIXED -> take(schema.getFixedSize());
      case STRING, BYTES -> take(length(readLong(), schema));
      case RECORD -> schema.getFields().forEach(field -> skip(field.schema()));
      case UNION -> {
        long branch = readLong();
        if (branch < 0 || branch >= schema.getTypes().size()) {
          throw malformed("has union branch " + branch + " of " + schema.getTypes().size());
        }
        skip(schema.getTypes().get((int) branch));
      }
      case ARRAY -> blocks(schema.getElementType(), false);
      case MAP -> blocks(schema.getValueType(), true);
    }
  }

  /** Array and map items come in blocks: a count (negative: followed by the block's size in bytes), then items. */
  private void blocks(Schema item, boolean keyed) {
    long minimum = minimumBytes(item) + (keyed ? 1 : 0);
    long items = 0;
    for (long count = readLong(); count != 0; count = readLong()) {
      if (count < 0) {
        count = -count;
        length(readLong(), item);
      }
      items += count;
      if (minimum == 0 ? items > MAX_EMPTY_ITEMS : count > (end - position) / minimum) {
        throw malformed("claims " + count + " items in " + (end - position) + " bytes");
      }
      for (long i = 0; i < count; i++) {
        if (keyed) {
          take(length(readLong(), Schema.create(Schema.Type.STRING)));
        }
        skip(item);
      }
    }
  }

  /** The fewest bytes a value of {@code schema} takes. */
  private static long minimumBytes(Schema schema) {
    return switch (schema.getType()) {
      case NULL -> 0;
      case FLOAT -> 4;
      case DOUBLE -> 8;
      case FIXED -> schema.getFixedSize();
      case RECORD -> schema.getFields().stream().mapToLong(field -> minimumBytes(field.schema())).sum();
      default -> 1;
    };
  }

  private int length(long length, Schema of) {
    if (length < 0 || length > end - position) {
      throw length > end - position
          ? new WireFormatException(WireFormatException.Reason.TRUNCATED, "Avro body claims a " + of.getType()
              .getName() + " value of " + length + " bytes with " + (end - position) + " left")
          : malformed("claims a " + of.getType().getName() + " value of " + length + " bytes");
    }
    return (int) length;
  }

  private void take(int bytes) {
    if (bytes > end - position) {
      throw new WireFormatException(WireFormatException.Reason.TRUNCATED, "Avro body ends " + (bytes - (end
          - position)) + " bytes before the record does");
    }
    position += bytes;
  }

  /** A zig-zag varint, as Avro writes int and long. */
  private long readLong() {
    long raw = 0;
    for (int shift = 0; ; shift += 7) {
      if (position >= end) {
        throw new WireFormatException(WireFormatException.Reason.TRUNCATED, "Avro body ends inside a number");
      }
      if (shift > 63) {
        throw malformed("has a number longer than 10 bytes");
      }
      byte b = data[position++];
      raw |= (long) (b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        return (raw >>> 1) ^ -(raw & 1);
      }
    }
  }

  private static WireFormatException malformed(String what) {
    return new WireFormatException(WireFormatException.Reason.MALFORMED_BODY, "Avro body " + what);
  }
}
