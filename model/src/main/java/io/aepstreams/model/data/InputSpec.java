package io.aepstreams.model.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;

/**
 * The input a model takes: channels, size, and the per-channel mean and standard deviation (of pixels scaled to
 * [0, 1], measured on the training split) it was trained with; images of another size are resized bilinearly.
 */
public record InputSpec(int channels, int height, int width, float[] mean, float[] std, String resize) {
  public static final String BILINEAR = "bilinear";

  public InputSpec {
    if (mean.length != channels || std.length != channels) {
      throw new IllegalArgumentException("one mean and one std per channel");
    }
    for (float s : std) {
      if (!(s > 0)) {
        throw new IllegalArgumentException("std must be positive, got " + Arrays.toString(std));
      }
    }
  }

  /** The spec of {@code train}, with its statistics. */
  public static InputSpec of(ImageSet train) {
    float[][] stats = train.channelStatistics();
    return new InputSpec(train.channels(), train.height(), train.width(), stats[0], stats[1], BILINEAR);
  }

  public int imageBytes() {
    return channels * height * width;
  }

  public Shape shape() {
    return new Shape(channels, height, width);
  }

  /** Normalises {@code count} channel-first 8-bit images from {@code pixels} at {@code offset} into {@code out}. */
  public void normalize(byte[] pixels, int offset, int count, float[] out) {
    int plane = height * width;
    float[] scale = new float[channels];
    float[] shift = new float[channels];
    for (int c = 0; c < channels; c++) {
      scale[c] = 1f / (255f * std[c]);
      shift[c] = mean[c] / std[c];
    }
    int i = 0;
    for (int image = 0; image < count; image++) {
      for (int c = 0; c < channels; c++) {
        for (int p = 0; p < plane; p++, i++) {
          out[i] = (pixels[offset + i] & 0xff) * scale[c] - shift[c];
        }
      }
    }
  }

  /** The images of {@code set} at {@code indices}, normalised, as one (batch, C, H, W) array. */
  public NDArray batch(NDManager manager, ImageSet set, int[] indices, int from, int to) {
    int bytes = imageBytes();
    float[] values = new float[(to - from) * bytes];
    float[] one = new float[bytes];
    for (int i = from; i < to; i++) {
      normalize(set.pixels(), indices[i] * bytes, 1, one);
      System.arraycopy(one, 0, values, (i - from) * bytes, bytes);
    }
    return manager.create(values, new Shape(to - from, channels, height, width));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof InputSpec other && channels == other.channels && height == other.height
        && width == other.width && Arrays.equals(mean, other.mean) && Arrays.equals(std, other.std)
        && resize.equals(other.resize);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(mean) * 31 + Arrays.hashCode(std) + channels * 7 + height * 13 + width;
  }

  @Override
  public String toString() {
    return channels + "x" + height + "x" + width + " mean " + Arrays.toString(mean) + " std " + Arrays.toString(std);
  }
}
