package io.aepstreams.model.training;

import io.aepstreams.model.data.ImageSet;
import java.util.List;
import java.util.Random;

/** A tiny learnable dataset: 8x8 grayscale images, class 0 bright on top, class 1 bright at the bottom, with noise. */
public final class TinyData {
  private TinyData() {}

  public static ImageSet images(int count, long seed) {
    Random random = new Random(seed);
    byte[] pixels = new byte[count * 64];
    int[] labels = new int[count];
    for (int i = 0; i < count; i++) {
      labels[i] = i % 2;
      for (int y = 0; y < 8; y++) {
        for (int x = 0; x < 8; x++) {
          boolean bright = labels[i] == 0 ? y < 4 : y >= 4;
          int value = (bright ? 170 : 60) + random.nextInt(60) - 30;
          pixels[i * 64 + y * 8 + x] = (byte) value;
        }
      }
    }
    return new ImageSet(pixels, labels, 1, 8, 8, List.of("top", "bottom"));
  }
}
