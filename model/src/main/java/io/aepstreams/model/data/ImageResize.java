package io.aepstreams.model.data;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.nio.ByteBuffer;

/**
 * The one resize of this project, used by the trainer on every dataset and by the stream on every image, so that a
 * model sees at serving time exactly the pixels it was trained on: a separable triangle (bilinear) filter with
 * pixel centres at half-integers, widened by the scale when shrinking (antialiased, as PIL's and torchvision's
 * bilinear with antialias); then the channels converted (gray copied to R, G and B; RGB to gray by the BT.601
 * luma). Reads the source a row at a time and holds one intermediate of (source rows x output width), so a 3 MB
 * camera frame is never copied whole.
 */
public final class ImageResize {
  /** A source image read one row at a time as 8-bit samples, channels interleaved. */
  public interface Rows {
    int width();

    int height();

    /** 1 (gray) or 3 (RGB). */
    int channels();

    /** Row {@code y}: {@code width() * channels()} samples into {@code out}. */
    void read(int y, float[] out);
  }

  private ImageResize() {}

  /** Resizes {@code source} to (channels, height, width), channel-first 8-bit. */
  public static byte[] toChannelFirst(Rows source, int channels, int height, int width) {
    if (channels != 1 && channels != 3) {
      throw new IllegalArgumentException("1 or 3 output channels, got " + channels);
    }
    int c = source.channels();
    if (source.width() == width && source.height() == height) {
      return sameSize(source, channels);
    }
    Taps across = Taps.of(source.width(), width);
    Taps down = Taps.of(source.height(), height);
    float[] row = new float[source.width() * c];
    float[] wide = new float[source.height() * width * c];
    for (int y = 0; y < source.height(); y++) {
      source.read(y, row);
      int base = y * width * c;
      for (int x = 0; x < width; x++) {
        int first = across.first[x];
        float[] w = across.weights[x];
        for (int ch = 0; ch < c; ch++) {
          float sum = 0;
          for (int k = 0; k < w.length; k++) {
            sum += w[k] * row[(first + k) * c + ch];
          }
          wide[base + x * c + ch] = sum;
        }
      }
    }
    byte[] out = new byte[channels * height * width];
    int plane = height * width;
    float[] pixel = new float[c];
    for (int y = 0; y < height; y++) {
      int first = down.first[y];
      float[] w = down.weights[y];
      for (int x = 0; x < width; x++) {
        for (int ch = 0; ch < c; ch++) {
          float sum = 0;
          for (int k = 0; k < w.length; k++) {
            sum += w[k] * wide[((first + k) * width + x) * c + ch];
          }
          pixel[ch] = sum;
        }
        store(pixel, out, y * width + x, plane, channels);
      }
    }
    return out;
  }

  private static byte[] sameSize(Rows source, int channels) {
    int c = source.channels();
    int width = source.width();
    int plane = source.height() * width;
    byte[] out = new byte[channels * plane];
    float[] row = new float[width * c];
    float[] pixel = new float[c];
    for (int y = 0; y < source.height(); y++) {
      source.read(y, row);
      for (int x = 0; x < width; x++) {
        System.arraycopy(row, x * c, pixel, 0, c);
        store(pixel, out, y * width + x, plane, channels);
      }
    }
    return out;
  }

  /** One pixel of the source's channels into {@code out} as {@code channels}, channel-first. */
  private static void store(float[] pixel, byte[] out, int p, int plane, int channels) {
    if (channels == pixel.length) {
      for (int ch = 0; ch < channels; ch++) {
        out[ch * plane + p] = toByte(pixel[ch]);
      }
    } else if (channels == 3) {
      byte gray = toByte(pixel[0]);
      out[p] = gray;
      out[plane + p] = gray;
      out[2 * plane + p] = gray;
    } else {
      out[p] = toByte(0.299f * pixel[0] + 0.587f * pixel[1] + 0.114f * pixel[2]);
    }
  }

  /** Channel-first 8-bit pixels, as an ImageSet holds them, at {@code offset}. */
  public static Rows channelFirst(byte[] pixels, int offset, int channels, int height, int width) {
    checkChannels(channels);
    return new Rows() {
      @Override public int width() { return width; }
      @Override public int height() { return height; }
      @Override public int channels() { return channels; }
      @Override public void read(int y, float[] out) {
        int plane = height * width;
        for (int ch = 0; ch < channels; ch++) {
          int from = offset + ch * plane + y * width;
          for (int x = 0; x < width; x++) {
            out[x * channels + ch] = pixels[from + x] & 0xff;
          }
        }
      }
    };
  }

  /** Channels-last 8-bit pixels (RAW_U8 on the wire), read in place from {@code data}'s position. */
  public static Rows interleaved(ByteBuffer data, int channels, int height, int width) {
    checkChannels(channels);
    int start = data.position();
    int rowBytes = width * channels;
    return new Rows() {
      @Override public int width() { return width; }
      @Override public int height() { return height; }
      @Override public int channels() { return channels; }
      @Override public void read(int y, float[] out) {
        int from = start + y * rowBytes;
        for (int i = 0; i < rowBytes; i++) {
          out[i] = data.get(from + i) & 0xff;
        }
      }
    };
  }

  /**
   * A decoded PNG or JPEG. Gray images are read from their samples (a BufferedImage's RGB view of gray applies a
   * gamma curve); every other kind through its RGB view, a row at a time.
   */
  public static Rows of(BufferedImage image) {
    Raster raster = image.getRaster();
    boolean gray = raster.getNumBands() == 1 && !(image.getColorModel() instanceof IndexColorModel);
    int width = image.getWidth();
    if (gray) {
      int shift = Math.max(0, raster.getSampleModel().getSampleSize(0) - 8);
      int[] samples = new int[width];
      return new Rows() {
        @Override public int width() { return width; }
        @Override public int height() { return image.getHeight(); }
        @Override public int channels() { return 1; }
        @Override public void read(int y, float[] out) {
          raster.getSamples(0, y, width, 1, 0, samples);
          for (int x = 0; x < width; x++) {
            out[x] = samples[x] >> shift;
          }
        }
      };
    }
    int[] rgb = new int[width];
    return new Rows() {
      @Override public int width() { return width; }
      @Override public int height() { return image.getHeight(); }
      @Override public int channels() { return 3; }
      @Override public void read(int y, float[] out) {
        image.getRGB(0, y, width, 1, rgb, 0, width);
        for (int x = 0; x < width; x++) {
          out[x * 3] = (rgb[x] >> 16) & 0xff;
          out[x * 3 + 1] = (rgb[x] >> 8) & 0xff;
          out[x * 3 + 2] = rgb[x] & 0xff;
        }
      }
    };
  }

  private static void checkChannels(int channels) {
    if (channels != 1 && channels != 3) {
      throw new IllegalArgumentException("1 or 3 channels, got " + channels);
    }
  }

  private static byte toByte(float value) {
    return (byte) Math.max(0, Math.min(255, Math.round(value)));
  }

  /** For each output position along one axis: the first source position it reads and the weights from there. */
  private record Taps(int[] first, float[][] weights) {
    static Taps of(int in, int out) {
      if (in < 1 || out < 1) {
        throw new IllegalArgumentException("sizes must be positive: " + in + " -> " + out);
      }
      double scale = (double) in / out;
      double widen = Math.max(1.0, scale); // shrinking averages every source pixel under the output pixel
      int[] first = new int[out];
      float[][] weights = new float[out][];
      for (int o = 0; o < out; o++) {
        double centre = (o + 0.5) * scale;
        int from = Math.max(0, (int) Math.floor(centre - widen + 0.5));
        int to = Math.min(in, (int) Math.floor(centre + widen + 0.5));
        double[] w = new double[Math.max(1, to - from)];
        double total = 0;
        for (int i = from; i < to; i++) {
          w[i - from] = Math.max(0, 1 - Math.abs((i + 0.5 - centre) / widen));
          total += w[i - from];
        }
        first[o] = Math.min(from, in - 1);
        weights[o] = new float[w.length];
        for (int k = 0; k < w.length; k++) {
          weights[o][k] = total > 0 ? (float) (w[k] / total) : (k == 0 ? 1f : 0f);
        }
      }
      return new Taps(first, weights);
    }
  }
}
