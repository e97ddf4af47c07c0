package io.aepstreams.streams.decode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.aepstreams.model.data.InputSpec;
import io.aepstreams.records.ImageEncoding;
import io.aepstreams.records.ImageRecord;
import io.aepstreams.streams.config.DecodeLimits;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class ImageDecoderTest {
  private static final InputSpec GRAY_4 = new InputSpec(1, 4, 4, new float[] {0.5f}, new float[] {0.25f}, "bilinear");
  private static final InputSpec RGB_2 = new InputSpec(3, 2, 2, new float[] {0f, 0f, 0f}, new float[] {1f, 1f, 1f},
      "bilinear");

  private static ImageRecord raw(byte[] data, Integer w, Integer h, Integer c) {
    return image(ImageEncoding.RAW_U8, data, w, h, c);
  }

  private static ImageRecord image(ImageEncoding encoding, byte[] data, Integer w, Integer h, Integer c) {
    return ImageRecord.newBuilder().setId("x").setEncoding(encoding).setData(ByteBuffer.wrap(data))
        .setWidth(w).setHeight(h).setChannels(c).build();
  }

  @Test
  void rawGrayscaleIsNormalisedWithTheModelsStatistics() {
    byte[] pixels = new byte[16];
    pixels[0] = (byte) 255;
    float[] out = new ImageDecoder(GRAY_4, DecodeLimits.DEFAULT).decode(raw(pixels, 4, 4, 1));
    assertEquals((1f - 0.5f) / 0.25f, out[0], 1e-6);
    assertEquals((0f - 0.5f) / 0.25f, out[1], 1e-6);
  }

  @Test
  void rawRgbChannelsLastBecomesChannelsFirst() {
    byte[] hwc = {(byte) 255, 0, 0, 0, (byte) 255, 0, 0, 0, (byte) 255, (byte) 255, (byte) 255, (byte) 255};
    float[] out = new ImageDecoder(RGB_2, DecodeLimits.DEFAULT).decode(raw(hwc, 2, 2, 3));
    assertArrayEquals(new float[] {1, 0, 0, 1, 0, 1, 0, 1, 0, 0, 1, 1}, out, 1e-6f);
  }

  @Test
  void otherSizesAndChannelsAreConverted() {
    byte[] rgb = new byte[8 * 8 * 3];
    java.util.Arrays.fill(rgb, (byte) 200);
    float[] out = new ImageDecoder(GRAY_4, DecodeLimits.DEFAULT).decode(raw(rgb, 8, 8, 3));
    assertEquals(16, out.length);
    assertEquals((200 / 255f - 0.5f) / 0.25f, out[5], 1e-2);
  }

  /**
   * The stream feeds a model exactly the pixels the trainer trained it on: a 28x28 gray image (Fashion-MNIST as
   * producers send it) sent raw or as PNG, decoded for a 64x64 RGB model, equals the trainer's resize of the same
   * image, normalised.
   */
  @Test
  void theStreamResizesAsTheTrainerDid() throws IOException {
    byte[] gray = new byte[28 * 28];
    new java.util.Random(5).nextBytes(gray);
    InputSpec rgb64 = new InputSpec(3, 64, 64, new float[] {0.3f, 0.3f, 0.3f}, new float[] {0.35f, 0.35f, 0.35f},
        "bilinear");
    io.aepstreams.model.data.ImageSet trained = new io.aepstreams.model.data.ImageSet(gray, new int[] {0}, 1, 28, 28,
        java.util.List.of("a")).resized(3, 64, 64);
    float[] expected = new float[rgb64.imageBytes()];
    rgb64.normalize(trained.pixels(), 0, 1, expected);
    ImageDecoder decoder = new ImageDecoder(rgb64, DecodeLimits.DEFAULT);
    assertArrayEquals(expected, decoder.decode(raw(gray, 28, 28, 1)), 0f);
    BufferedImage image = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
    image.getRaster().setDataElements(0, 0, 28, 28, gray);
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    ImageIO.write(image, "png", png);
    assertArrayEquals(expected, decoder.decode(image(ImageEncoding.PNG, png.toByteArray(), null, null, null)), 0f);
  }

  @Test
  void pngAndJpegDecode() throws IOException {
    BufferedImage image = new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB);
    for (int p = 0; p < 16; p++) {
      image.setRGB(p % 4, p / 4, 0x808080);
    }
    for (String format : new String[] {"png", "jpg"}) {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      ImageIO.write(image, format, bytes);
      ImageRecord record = ImageRecord.newBuilder().setId("x")
          .setEncoding(format.equals("png") ? ImageEncoding.PNG : ImageEncoding.JPEG)
          .setData(ByteBuffer.wrap(bytes.toByteArray())).build();
      float[] out = new ImageDecoder(GRAY_4, DecodeLimits.DEFAULT).decode(record);
      assertEquals((128 / 255f - 0.5f) / 0.25f, out[0], 0.05, format);
    }
  }

  @Test
  void everyRejectionHasItsReason() {
    ImageDecoder decoder = new ImageDecoder(GRAY_4, new DecodeLimits(64, 100));
    assertReason(RejectedRecordException.Reason.PAYLOAD_TOO_LARGE, decoder, raw(new byte[65], 65, 1, 1));
    assertReason(RejectedRecordException.Reason.TOO_MANY_PIXELS, decoder, raw(new byte[10], 11, 10, 1));
    assertReason(RejectedRecordException.Reason.BAD_DIMENSIONS, decoder, raw(new byte[15], 4, 4, 1));
    assertReason(RejectedRecordException.Reason.BAD_DIMENSIONS, decoder, raw(new byte[16], null, 4, 1));
    assertReason(RejectedRecordException.Reason.UNSUPPORTED_CHANNELS, decoder, raw(new byte[32], 4, 4, 2));
    assertReason(RejectedRecordException.Reason.UNDECODABLE_IMAGE, decoder,
        image(ImageEncoding.JPEG, new byte[16], null, null, null));
    assertReason(RejectedRecordException.Reason.UNKNOWN_ENCODING, decoder,
        image(ImageEncoding.UNKNOWN, new byte[16], 4, 4, 1));
  }

  private static void assertReason(RejectedRecordException.Reason reason, ImageDecoder decoder, ImageRecord record) {
    assertEquals(reason, assertThrows(RejectedRecordException.class, () -> decoder.decode(record)).reason());
  }

  @Test
  void encodedImagesAreDecodedInMemoryWithoutATemporaryFile() {
    new ImageDecoder(GRAY_4, io.aepstreams.streams.config.DecodeLimits.DEFAULT);
    org.junit.jupiter.api.Assertions.assertFalse(javax.imageio.ImageIO.getUseCache(),
        "ImageIO's disk cache would write every PNG and JPEG to a temporary file first");
  }
}
