package io.aepstreams.model.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ImageResizeTest {
  private static byte[] random(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  @Test
  void theSameSizeIsTheSameImage() {
    byte[] chw = random(3 * 5 * 7, 1);
    assertArrayEquals(chw, ImageResize.toChannelFirst(ImageResize.channelFirst(chw, 0, 3, 5, 7), 3, 5, 7));
  }

  @Test
  void aFlatImageStaysFlatAtAnySize() {
    byte[] gray = new byte[13 * 9];
    java.util.Arrays.fill(gray, (byte) 77);
    for (int[] size : new int[][] {{64, 64}, {3, 2}, {13, 40}, {1, 1}}) {
      byte[] out = ImageResize.toChannelFirst(ImageResize.channelFirst(gray, 0, 1, 13, 9), 1, size[0], size[1]);
      for (byte b : out) {
        assertEquals(77, b & 0xff, "at " + size[0] + "x" + size[1]);
      }
    }
  }

  /**
   * Shrinking averages what falls under each output pixel: one bright row in eight, shrunk eight times, keeps its
   * mean (255 / 8), where sampling the two nearest rows (plain bilinear) would miss it and give 0.
   */
  @Test
  void shrinkingIsAntialiased() {
    int h = 64;
    int w = 16;
    byte[] lines = new byte[h * w];
    for (int y = 0; y < h; y += 8) {
      java.util.Arrays.fill(lines, y * w, (y + 1) * w, (byte) 255);
    }
    byte[] out = ImageResize.toChannelFirst(ImageResize.channelFirst(lines, 0, 1, h, w), 1, 8, 16);
    for (int y = 1; y < 7; y++) { // away from the edges, where the filter is cut and renormalised
      assertEquals(32, out[y * 16 + 3] & 0xff, "row " + y);
    }
  }

  @Test
  void grayIsCopiedToEachChannelAndRgbBecomesLuma() {
    byte[] gray = random(6 * 6, 2);
    byte[] rgb = ImageResize.toChannelFirst(ImageResize.channelFirst(gray, 0, 1, 6, 6), 3, 6, 6);
    for (int c = 0; c < 3; c++) {
      assertArrayEquals(gray, java.util.Arrays.copyOfRange(rgb, c * 36, (c + 1) * 36));
    }
    byte[] red = new byte[3 * 4];
    java.util.Arrays.fill(red, 0, 4, (byte) 200);
    byte[] luma = ImageResize.toChannelFirst(ImageResize.channelFirst(red, 0, 3, 2, 2), 1, 2, 2);
    assertEquals(Math.round(0.299f * 200), luma[0] & 0xff);
  }

  /** Channels-last bytes on the wire, a channel-first dataset and a decoded image: one resize, the same pixels. */
  @Test
  void everySourceGivesTheSamePixels() {
    int h = 37;
    int w = 53;
    byte[] hwc = random(h * w * 3, 3);
    byte[] chw = new byte[hwc.length];
    BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    for (int p = 0; p < h * w; p++) {
      for (int c = 0; c < 3; c++) {
        chw[c * h * w + p] = hwc[p * 3 + c];
      }
      image.setRGB(p % w, p / w, ((hwc[p * 3] & 0xff) << 16) | ((hwc[p * 3 + 1] & 0xff) << 8) | (hwc[p * 3 + 2] & 0xff));
    }
    ByteBuffer wire = ByteBuffer.allocate(hwc.length + 5);
    wire.position(5);
    wire.put(hwc);
    wire.position(5);
    byte[] fromDataset = ImageResize.toChannelFirst(ImageResize.channelFirst(chw, 0, 3, h, w), 3, 16, 20);
    assertArrayEquals(fromDataset, ImageResize.toChannelFirst(ImageResize.interleaved(wire, 3, h, w), 3, 16, 20));
    assertArrayEquals(fromDataset, ImageResize.toChannelFirst(ImageResize.of(image), 3, 16, 20));
    assertEquals(5, wire.position(), "the frame is read in place, its buffer left as it was");
  }

  @Test
  void grayImagesAreReadFromTheirSamplesNotThroughAGammaCurve() {
    BufferedImage gray = new BufferedImage(4, 4, BufferedImage.TYPE_BYTE_GRAY);
    gray.getRaster().setSample(1, 1, 0, 100);
    byte[] out = ImageResize.toChannelFirst(ImageResize.of(gray), 1, 4, 4);
    assertEquals(100, out[5] & 0xff);
    assertTrue(out[0] == 0);
  }
}
