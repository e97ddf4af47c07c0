package io.aepstreams.schemas.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aepstreams.records.ImageRecord;
import io.aepstreams.schemas.registry.InMemorySchemaRegistry;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Payloads of a few bytes that claim huge strings, byte arrays or maps. Avro's reader would allocate what they claim
 * (OutOfMemoryError, or an exception outside its declared ones), so the record could not be dead-lettered and its
 * partition stalled. Each must be a WireFormatException with a reason, at once.
 */
class PoisonPillTest {
  private final String scope = "poison-" + UUID.randomUUID();
  private final InMemorySchemaRegistry registry = InMemorySchemaRegistry.scope(scope);
  private final int id = registry.register("aep.images-value", ImageRecord.getClassSchema());
  private final AvroDeserializer<ImageRecord> deserializer = AvroDeserializer.forClass(ImageRecord.class, registry);

  @AfterEach
  void drop() {
    InMemorySchemaRegistry.dropScope(scope);
  }

  /** Header and Avro body: each long is zig-zag varint encoded, as Avro writes int, long and lengths. */
  private byte[] payload(Object... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteBuffer header = ByteBuffer.allocate(WireFormat.HEADER_BYTES);
    WireFormat.writeHeader(header, id);
    out.writeBytes(header.array());
    for (Object part : parts) {
      if (part instanceof byte[] bytes) {
        out.writeBytes(bytes);
      } else {
        long n = ((Number) part).longValue();
        long zigzag = (n << 1) ^ (n >> 63);
        while ((zigzag & ~0x7FL) != 0) {
          out.write((int) ((zigzag & 0x7F) | 0x80));
          zigzag >>>= 7;
        }
        out.write((int) zigzag);
      }
    }
    return out.toByteArray();
  }

  private WireFormatException rejected(byte[] payload) {
    return assertThrows(WireFormatException.class, () -> deserializer.deserialize("aep.images", payload));
  }

  /** id "a", encoding RAW_U8, no pixels, then the optional fields as given. */
  private Object[] headOfAnImage() {
    return new Object[] {1, new byte[] {'a'}, 1, 0};
  }

  @Test
  void aStringClaimingTwoGigabytesIsTruncatedNotAllocated() {
    byte[] pill = payload(Integer.MAX_VALUE - 8, new byte[] {'x', 'y'});
    assertTrue(pill.length <= 12, "a " + pill.length + "-byte payload");
    WireFormatException e = rejected(pill);
    assertEquals(WireFormatException.Reason.TRUNCATED, e.reason());
    assertTrue(e.getMessage().contains("claims a string value of 2147483639 bytes with 2 left"), e.getMessage());
  }

  @Test
  void bytesClaimingTwoGigabytesAreTruncatedNotAllocated() {
    assertEquals(WireFormatException.Reason.TRUNCATED, rejected(payload(1, new byte[] {'a'}, 1,
        Integer.MAX_VALUE - 8)).reason());
  }

  @Test
  void negativeLengthsAndImpossibleCountsAreMalformed() {
    assertEquals(WireFormatException.Reason.MALFORMED_BODY, rejected(payload(-5)).reason());
    // every optional field null (union branch 0), then a map claiming a billion entries in no bytes
    Object[] nulls = {0, 0, 0, 0, 0, 0};
    byte[] hugeMap = payload(concat(headOfAnImage(), nulls, new Object[] {1_000_000_000L}));
    WireFormatException e = rejected(hugeMap);
    assertEquals(WireFormatException.Reason.MALFORMED_BODY, e.reason());
    assertTrue(e.getMessage().contains("claims 1000000000 items"), e.getMessage());
    // a union branch the schema does not have
    assertEquals(WireFormatException.Reason.MALFORMED_BODY, rejected(payload(concat(headOfAnImage(),
        new Object[] {7}))).reason());
    // a number that never ends
    assertEquals(WireFormatException.Reason.MALFORMED_BODY, rejected(payload(new byte[] {(byte) 0xff, (byte) 0xff,
        (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff,
        (byte) 0xff, 1})).reason());
  }

  @Test
  void aWellFormedImageStillReads() {
    Object[] nulls = {0, 0, 0, 0, 0, 0};
    ImageRecord image = deserializer.deserialize("aep.images", payload(concat(headOfAnImage(), nulls,
        new Object[] {1, new byte[] {2, 'k', 2, 'v'}, 0})));
    assertEquals("a", image.getId().toString());
    assertEquals("v", image.getAttributes().get("k").toString());
  }

  private static Object[] concat(Object[]... parts) {
    return java.util.Arrays.stream(parts).flatMap(java.util.Arrays::stream).toArray();
  }
}
