package io.aepstreams.model.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Labelled 8-bit images of one size, held in one array in channel-first order (image, channel, row, column): 60,000
 * Fashion-MNIST images take 47 MB.
 */
public record ImageSet(byte[] pixels, int[] labels, int channels, int height, int width, List<String> classNames) {
  public ImageSet {
    if ((long) labels.length * channels * height * width != pixels.length) {
      throw new IllegalArgumentException(labels.length + " images of " + channels + "x" + height + "x" + width
          + " need " + (long) labels.length * channels * height * width + " bytes, got " + pixels.length);
    }
    for (int label : labels) {
      if (label < 0 || label >= classNames.size()) {
        throw new DatasetException("label " + label + " is outside the " + classNames.size() + " classes");
      }
    }
    classNames = List.copyOf(classNames);
  }

  public int size() {
    return labels.length;
  }

  public int imageBytes() {
    return channels * height * width;
  }

  public int classes() {
    return classNames.size();
  }

  /** The images at {@code indices}, in that order. */
  public ImageSet select(int[] indices) {
    int bytes = imageBytes();
    byte[] out = new byte[indices.length * bytes];
    int[] outLabels = new int[indices.length];
    for (int i = 0; i < indices.length; i++) {
      System.arraycopy(pixels, indices[i] * bytes, out, i * bytes, bytes);
      outLabels[i] = labels[indices[i]];
    }
    return new ImageSet(out, outLabels, channels, height, width, classNames);
  }

  /** The first {@code count} images. */
  public ImageSet head(int count) {
    int[] indices = new int[Math.min(count, size())];
    for (int i = 0; i < indices.length; i++) {
      indices[i] = i;
    }
    return select(indices);
  }

  /**
   * Every image resized and converted to (channels, height, width) by {@link ImageResize}, the resize the stream
   * applies to what it receives; this set itself when it already has that shape.
   */
  public ImageSet resized(int toChannels, int toHeight, int toWidth) {
    if (toChannels == channels && toHeight == height && toWidth == width) {
      return this;
    }
    int from = imageBytes();
    int to = toChannels * toHeight * toWidth;
    byte[] out = new byte[Math.multiplyExact(size(), to)];
    for (int i = 0; i < size(); i++) {
      byte[] one = ImageResize.toChannelFirst(ImageResize.channelFirst(pixels, i * from, channels, height, width),
          toChannels, toHeight, toWidth);
      System.arraycopy(one, 0, out, i * to, to);
    }
    return new ImageSet(out, labels, toChannels, toHeight, toWidth, classNames);
  }

  /** Shuffles with {@code seed} and holds {@code validation} images out: [train, validation]. */
  public List<ImageSet> split(int validation, long seed) {
    if (validation <= 0 || validation >= size()) {
      throw new IllegalArgumentException("validation split of " + validation + " images out of " + size());
    }
    int[] order = shuffled(size(), new Random(seed));
    int[] train = java.util.Arrays.copyOfRange(order, validation, order.length);
    int[] val = java.util.Arrays.copyOfRange(order, 0, validation);
    java.util.Arrays.sort(train);
    java.util.Arrays.sort(val);
    return List.of(select(train), select(val));
  }

  /** 0..n-1 in a random order (Fisher-Yates). */
  public static int[] shuffled(int n, Random random) {
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    return order;
  }

  /** Per-channel mean and standard deviation of the pixels scaled to [0, 1]: {mean[], std[]}. */
  public float[][] channelStatistics() {
    float[] mean = new float[channels];
    float[] std = new float[channels];
    int plane = height * width;
    for (int c = 0; c < channels; c++) {
      double sum = 0;
      double squares = 0;
      for (int image = 0; image < size(); image++) {
        int offset = (image * channels + c) * plane;
        for (int p = 0; p < plane; p++) {
          double v = (pixels[offset + p] & 0xff) / 255.0;
          sum += v;
          squares += v * v;
        }
      }
      double n = (double) size() * plane;
      mean[c] = (float) (sum / n);
      std[c] = (float) Math.sqrt(Math.max(1e-12, squares / n - (sum / n) * (sum / n)));
    }
    return new float[][] {mean, std};
  }

  static List<String> numberedClasses(int count) {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      names.add(String.valueOf(i));
    }
    return names;
  }
}
