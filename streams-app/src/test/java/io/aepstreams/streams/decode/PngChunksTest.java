package io.aepstreams.streams.decode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aepstreams.model.data.InputSpec;
import io.aepstreams.records.ImageEncoding;
import io.aepstreams.records.ImageRecord;
import io.aepstreams.streams.config.DecodeLimits;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class PngChunksTest {
  private static final InputSpec GRAY_4 = new InputSpec(1, 4, 4, new float[] {0.5f}, new float[] {0.25f}, "bilinear");

  private static byte[] png() throws IOException {
    BufferedImage image = new BufferedImage(4, 4, BufferedImage.TYPE_BYTE_GRAY);
    for (int p = 0; p < 16; p++) {
      image.getRaster().setSample(p % 4, p / 4, 0, p * 16);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(image, "png", out);
    return out.toByteArray();
  }

  private static byte[] chunk(String type, byte[] data) {
    ByteBuffer chunk = ByteBuffer.allocate(12 + data.length);
    chunk.putInt(data.length).put(type.getBytes(StandardCharsets.US_ASCII)).put(data);
    CRC32 crc = new CRC32();
    crc.update(chunk.array(), 4, 4 + data.length);
    return chunk.putInt((int) crc.getValue()).array();
  }

  /** A zTXt chunk whose text inflates to {@code inflated} bytes of zeros: ~1,000 times its own size. */
  private static byte[] bomb(int inflated) {
    Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION);
    deflater.setInput(new byte[inflated]);
    deflater.finish();
    ByteArrayOutputStream compressed = new ByteArrayOutputStream();
    byte[] buffer = new byte[1 << 16];
    while (!deflater.finished()) {
      compressed.write(buffer, 0, deflater.deflate(buffer));
    }
    ByteArrayOutputStream data = new ByteArrayOutputStream();
    data.writeBytes("Comment".getBytes(StandardCharsets.US_ASCII));
    data.write(0); // keyword terminator
    data.write(0); // compression method: deflate
    data.writeBytes(compressed.toByteArray());
    return chunk("zTXt", data.toByteArray());
  }

  /** {@code extra} inserted right after IHDR (8-byte signature, 25-byte IHDR chunk). */
  private static byte[] withChunkAfterHeader(byte[] png, byte[] extra) {
    byte[] out = new byte[png.length + extra.length];
    System.arraycopy(png, 0, out, 0, 33);
    System.arraycopy(extra, 0, out, 33, extra.length);
    System.arraycopy(png, 33, out, 33 + extra.length, png.length - 33);
    return out;
  }

  @Test
  void aMetadataBombIsLeftOutBeforeDecodingAndThePixelsAreTheSame() throws IOException {
    byte[] clean = png();
    byte[] bomb = bomb(256 * 1024 * 1024);
    assertTrue(bomb.length < 1024 * 1024, "a " + bomb.length + "-byte chunk inflating to 256 MiB");
    byte[] poisoned = withChunkAfterHeader(clean, bomb);

    byte[] stripped = PngChunks.pixelChunks(poisoned, "x");
    byte[] expected = PngChunks.pixelChunks(clean, "x");
    assertArrayEquals(expected, stripped, "only the pixel chunks are left, the bomb is not among them");

    ImageDecoder decoder = new ImageDecoder(GRAY_4, DecodeLimits.DEFAULT);
    float[] fromPoisoned = decoder.decode(record(poisoned));
    assertArrayEquals(decoder.decode(record(clean)), fromPoisoned);
    assertEquals((16 / 255f - 0.5f) / 0.25f, fromPoisoned[1], 1e-5);
  }

  @Test
  void aChunkRunningPastTheEndIsUndecodable() throws IOException {
    byte[] clean = png();
    byte[] lying = Arrays.copyOf(clean, clean.length);
    ByteBuffer.wrap(lying).putInt(33, Integer.MAX_VALUE); // the chunk after IHDR claims 2 GB
    RejectedRecordException e = assertThrows(RejectedRecordException.class,
        () -> new ImageDecoder(GRAY_4, DecodeLimits.DEFAULT).decode(record(lying)));
    assertEquals(RejectedRecordException.Reason.UNDECODABLE_IMAGE, e.reason());
    assertTrue(e.getMessage().contains("has a PNG chunk of 2147483647 bytes"), e.getMessage());
  }

  private static ImageRecord record(byte[] png) {
    return ImageRecord.newBuilder().setId("x").setEncoding(ImageEncoding.PNG).setData(ByteBuffer.wrap(png)).build();
  }
}
