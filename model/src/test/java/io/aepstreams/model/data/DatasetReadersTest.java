package io.aepstreams.model.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetReadersTest {
  @TempDir Path dir;

  /** An IDX image file of {@code count} 2x3 images whose pixels count up; gzipped if asked. */
  private static byte[] idxImages(int magic, int count) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeInt(magic);
    out.writeInt(count);
    out.writeInt(2);
    out.writeInt(3);
    for (int i = 0; i < count * 6; i++) {
      out.writeByte(i);
    }
    return bytes.toByteArray();
  }

  private static byte[] idxLabels(int magic, int... labels) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeInt(magic);
    out.writeInt(labels.length);
    for (int label : labels) {
      out.writeByte(label);
    }
    return bytes.toByteArray();
  }

  private static void write(Path file, byte[] content, boolean gzip) throws IOException {
    try (OutputStream out = gzip ? new GZIPOutputStream(Files.newOutputStream(file)) : Files.newOutputStream(file)) {
      out.write(content);
    }
  }

  @Test
  void idxPlainAndGzipped() throws IOException {
    write(dir.resolve("train-images-idx3-ubyte.gz"), idxImages(0x803, 3), true);
    write(dir.resolve("train-labels-idx1-ubyte.gz"), idxLabels(0x801, 4, 0, 9), true);
    write(dir.resolve("t10k-images-idx3-ubyte"), idxImages(0x803, 2), false);
    write(dir.resolve("t10k-labels-idx1-ubyte"), idxLabels(0x801, 1, 2), false);

    ImageSet train = Datasets.readAsStored(dir, Datasets.Split.TRAIN, 1, 0, 0);
    assertEquals(3, train.size());
    assertEquals(2, train.height());
    assertEquals(3, train.width());
    assertArrayEquals(new int[] {4, 0, 9}, train.labels());
    assertEquals(12, train.pixels()[12]);
    assertEquals(10, train.classes());

    ImageSet test = Datasets.readAsStored(dir, Datasets.Split.TEST, 1, 0, 0);
    assertArrayEquals(new int[] {1, 2}, test.labels());

    // at a size and channels of its own: every image resized and copied to R, G and B, as the stream would
    ImageSet rgb = Datasets.read(dir, Datasets.Split.TRAIN, 3, 4, 6);
    assertEquals(List.of(3, 4, 6), List.of(rgb.channels(), rgb.height(), rgb.width()));
    assertArrayEquals(train.labels(), rgb.labels());
    byte[] one = ImageResize.toChannelFirst(ImageResize.channelFirst(train.pixels(), 6, 1, 2, 3), 1, 4, 6);
    for (int c = 0; c < 3; c++) {
      assertArrayEquals(one, java.util.Arrays.copyOfRange(rgb.pixels(), 72 + c * 24, 72 + (c + 1) * 24),
          "image 1, channel " + c);
    }
  }

  @Test
  void idxErrorsNameTheFile() throws IOException {
    Path images = dir.resolve("images");
    Path labels = dir.resolve("labels");
    DatasetException missing = assertThrows(DatasetException.class, () -> IdxReader.read(images, labels, null));
    assertEquals("no such file: " + images, missing.getMessage());

    write(images, idxImages(0x801, 2), false);
    write(labels, idxLabels(0x801, 1, 2), false);
    DatasetException magic = assertThrows(DatasetException.class, () -> IdxReader.read(images, labels, null));
    assertEquals(images + " is not an IDX image file: magic number 0x00000801, expected 0x00000803",
        magic.getMessage());

    write(images, idxImages(0x803, 2), false);
    write(labels, idxLabels(0x801, 1, 2, 3), false);
    DatasetException counts = assertThrows(DatasetException.class, () -> IdxReader.read(images, labels, null));
    assertEquals(images + " has 2 images but " + labels + " has 3 labels", counts.getMessage());

    write(labels, idxLabels(0x803, 1, 2), false);
    DatasetException labelMagic = assertThrows(DatasetException.class, () -> IdxReader.read(images, labels, null));
    assertTrue(labelMagic.getMessage().contains("is not an IDX label file"), labelMagic.getMessage());
  }

  @Test
  void cifar10Binary() throws IOException {
    byte[] batch = new byte[2 * 3073];
    batch[0] = 3;
    batch[1] = (byte) 200; // first red pixel of image 0
    batch[3073] = 9;
    batch[3073 + 1 + 1024] = 7; // first green pixel of image 1
    Files.write(dir.resolve("test_batch.bin"), batch);

    ImageSet test = Datasets.read(dir, Datasets.Split.TEST, 3, 32, 32);
    assertArrayEquals(new int[] {3, 9}, test.labels());
    assertEquals(3, test.channels());
    assertEquals((byte) 200, test.pixels()[0]);
    assertEquals(7, test.pixels()[3072 + 1024]);
    assertEquals("cat", test.classNames().get(3));

    Files.write(dir.resolve("test_batch.bin"), new byte[100]);
    DatasetException e = assertThrows(DatasetException.class, () -> Datasets.read(dir, Datasets.Split.TEST, 3, 32, 32));
    assertTrue(e.getMessage().contains("not a CIFAR-10 binary batch"), e.getMessage());
  }

  @Test
  void imageFoldersWithResizeAndGrayscale() throws IOException {
    Path train = dir.resolve("train");
    Files.createDirectories(train.resolve("cat"));
    Files.createDirectories(train.resolve("dog"));
    image(train.resolve("cat/a.png"), 0xFFFFFF, "png");
    image(train.resolve("cat/b.jpg"), 0x000000, "jpg");
    image(train.resolve("dog/c.png"), 0xFF0000, "png");

    ImageSet set = Datasets.read(dir, Datasets.Split.TRAIN, 1, 4, 4);
    assertEquals(List.of("cat", "dog"), set.classNames());
    assertArrayEquals(new int[] {0, 0, 1}, set.labels());
    assertEquals(4, set.height());
    assertEquals(255, set.pixels()[0] & 0xff);
    assertEquals(Math.round(0.299 * 255), set.pixels()[2 * 16] & 0xff, "red in grayscale");

    ImageSet rgb = Datasets.read(dir, Datasets.Split.TRAIN, 3, 8, 8);
    assertEquals(255, rgb.pixels()[2 * 192] & 0xff, "red plane of the red image");
    assertEquals(0, rgb.pixels()[2 * 192 + 64] & 0xff, "its green plane");
  }

  @Test
  void emptyClassFolderIsAnError() throws IOException {
    Path train = dir.resolve("train");
    Files.createDirectories(train.resolve("cat"));
    Files.createDirectories(train.resolve("dog"));
    image(train.resolve("cat/a.png"), 0xFFFFFF, "png");
    DatasetException e = assertThrows(DatasetException.class, () -> Datasets.read(dir, Datasets.Split.TRAIN, 1, 4, 4));
    assertEquals("class folder " + train.resolve("dog") + " has no PNG or JPEG images", e.getMessage());
  }

  @Test
  void unknownLayoutAndMissingFolderAreErrors() {
    DatasetException missing = assertThrows(DatasetException.class,
        () -> Datasets.read(dir.resolve("nope"), Datasets.Split.TRAIN, 1, 28, 28));
    assertTrue(missing.getMessage().startsWith("no such dataset folder"), missing.getMessage());
    DatasetException empty = assertThrows(DatasetException.class,
        () -> Datasets.read(dir, Datasets.Split.TRAIN, 1, 28, 28));
    assertTrue(empty.getMessage().contains("holds no dataset this tool reads"), empty.getMessage());
  }

  @Test
  void splitIsSeededAndDisjoint() {
    byte[] pixels = new byte[100];
    int[] labels = new int[100];
    for (int i = 0; i < 100; i++) {
      pixels[i] = (byte) i;
      labels[i] = i % 2;
    }
    ImageSet set = new ImageSet(pixels, labels, 1, 1, 1, List.of("even", "odd"));
    List<ImageSet> first = set.split(10, 7);
    List<ImageSet> again = set.split(10, 7);
    assertArrayEquals(first.get(1).pixels(), again.get(1).pixels());
    assertEquals(90, first.get(0).size());
    java.util.Set<Byte> seen = new java.util.HashSet<>();
    for (byte b : first.get(0).pixels()) {
      seen.add(b);
    }
    for (byte b : first.get(1).pixels()) {
      assertTrue(seen.add(b), "validation image " + b + " is also in training");
    }
  }

  private static void image(Path file, int rgb, String format) throws IOException {
    BufferedImage image = new BufferedImage(6, 6, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 6; y++) {
      for (int x = 0; x < 6; x++) {
        image.setRGB(x, y, rgb);
      }
    }
    ImageIO.write(image, format, file.toFile());
  }
}
