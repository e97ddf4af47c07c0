package io.aepstreams.model.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * A folder with one sub-folder per class holding PNG or JPEG files; classes in alphabetical order. Images are
 * resized ({@link ImageResize}) to the given size and converted to the given channels (1 = grayscale, 3 = RGB).
 */
public final class ImageFolderReader {
  private ImageFolderReader() {}

  public static ImageSet read(Path root, int channels, int height, int width) {
    if (!Files.isDirectory(root)) {
      throw new DatasetException("no such folder: " + root);
    }
    List<Path> classDirs;
    try (Stream<Path> children = Files.list(root)) {
      classDirs = children.filter(Files::isDirectory).sorted().toList();
    } catch (IOException e) {
      throw new DatasetException("cannot list " + root + ": " + e.getMessage(), e);
    }
    if (classDirs.size() < 2) {
      throw new DatasetException(root + " needs one sub-folder per class (at least 2), found " + classDirs.size());
    }
    List<String> classes = new ArrayList<>();
    List<byte[]> images = new ArrayList<>();
    List<Integer> labels = new ArrayList<>();
    for (Path dir : classDirs) {
      List<Path> files;
      try (Stream<Path> entries = Files.list(dir)) {
        files = entries.filter(ImageFolderReader::isImage).sorted().toList();
      } catch (IOException e) {
        throw new DatasetException("cannot list " + dir + ": " + e.getMessage(), e);
      }
      if (files.isEmpty()) {
        throw new DatasetException("class folder " + dir + " has no PNG or JPEG images");
      }
      int label = classes.size();
      classes.add(dir.getFileName().toString());
      for (Path file : files) {
        images.add(pixels(file, channels, height, width));
        labels.add(label);
      }
    }
    int bytes = channels * height * width;
    byte[] all = new byte[images.size() * bytes];
    for (int i = 0; i < images.size(); i++) {
      System.arraycopy(images.get(i), 0, all, i * bytes, bytes);
    }
    return new ImageSet(all, labels.stream().mapToInt(Integer::intValue).toArray(), channels, height, width, classes);
  }

  private static boolean isImage(Path file) {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    return Files.isRegularFile(file) && (name.endsWith(".png") || name.endsWith(".jpg") || name.endsWith(".jpeg"));
  }

  /** One image file, resized and converted, channel-first. */
  public static byte[] pixels(Path file, int channels, int height, int width) {
    BufferedImage image;
    try {
      image = ImageIO.read(file.toFile());
    } catch (IOException e) {
      throw new DatasetException("cannot decode " + file + ": " + e.getMessage(), e);
    }
    if (image == null) {
      throw new DatasetException("cannot decode " + file + ": not a PNG or JPEG image");
    }
    return toChannelFirst(image, channels, height, width);
  }

  /** Resizes and converts a decoded image to channel-first 8-bit pixels ({@link ImageResize}). */
  public static byte[] toChannelFirst(BufferedImage image, int channels, int height, int width) {
    return ImageResize.toChannelFirst(ImageResize.of(image), channels, height, width);
  }
}
