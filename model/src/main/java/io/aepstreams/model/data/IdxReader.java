package io.aepstreams.model.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;

/** Reads IDX files (MNIST, Fashion-MNIST), gzipped or not: a 32-bit magic number, the dimensions, the bytes. */
public final class IdxReader {
  static final int IMAGES_MAGIC = 0x00000803;
  static final int LABELS_MAGIC = 0x00000801;

  /** Fashion-MNIST's classes, in label order. */
  public static final List<String> FASHION_MNIST_CLASSES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress",
      "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

  private IdxReader() {}

  /** Images and labels from two IDX files; class names as given (null: "0".."9"). */
  public static ImageSet read(Path images, Path labels, List<String> classNames) {
    int[] dims = new int[3];
    byte[] pixels;
    try (DataInputStream in = open(images)) {
      int magic = in.readInt();
      if (magic != IMAGES_MAGIC) {
        throw new DatasetException(String.format("%s is not an IDX image file: magic number 0x%08x, expected 0x%08x",
            images, magic, IMAGES_MAGIC));
      }
      for (int d = 0; d < 3; d++) {
        dims[d] = in.readInt();
      }
      if (dims[0] < 0 || dims[1] <= 0 || dims[2] <= 0) {
        throw new DatasetException(images + " declares " + dims[0] + " images of " + dims[1] + "x" + dims[2]);
      }
      pixels = new byte[Math.multiplyExact(dims[0], dims[1] * dims[2])];
      in.readFully(pixels);
    } catch (EOFException e) {
      throw new DatasetException(images + " ends before the " + dims[0] + " images it declares");
    } catch (IOException e) {
      throw new DatasetException("cannot read " + images + ": " + e.getMessage(), e);
    }
    int[] labelValues;
    try (DataInputStream in = open(labels)) {
      int magic = in.readInt();
      if (magic != LABELS_MAGIC) {
        throw new DatasetException(String.format("%s is not an IDX label file: magic number 0x%08x, expected 0x%08x",
            labels, magic, LABELS_MAGIC));
      }
      int count = in.readInt();
      if (count != dims[0]) {
        throw new DatasetException(images + " has " + dims[0] + " images but " + labels + " has " + count + " labels");
      }
      byte[] raw = new byte[count];
      in.readFully(raw);
      labelValues = new int[count];
      int max = 0;
      for (int i = 0; i < count; i++) {
        labelValues[i] = raw[i] & 0xff;
        max = Math.max(max, labelValues[i]);
      }
      if (classNames == null) {
        classNames = ImageSet.numberedClasses(Math.max(10, max + 1));
      }
    } catch (EOFException e) {
      throw new DatasetException(labels + " ends before the labels it declares");
    } catch (IOException e) {
      throw new DatasetException("cannot read " + labels + ": " + e.getMessage(), e);
    }
    return new ImageSet(pixels, labelValues, 1, dims[1], dims[2], classNames);
  }

  private static DataInputStream open(Path path) throws IOException {
    InputStream raw;
    try {
      raw = new BufferedInputStream(Files.newInputStream(path), 1 << 16);
    } catch (NoSuchFileException e) {
      throw new DatasetException("no such file: " + path);
    }
    raw.mark(2);
    int b0 = raw.read();
    int b1 = raw.read();
    raw.reset();
    boolean gzip = b0 == 0x1f && b1 == 0x8b;
    return new DataInputStream(gzip ? new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16) : raw);
  }
}
