package io.aepstreams.model.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/** CIFAR-10's binary format: records of 1 label byte then 3072 pixel bytes (1024 red, 1024 green, 1024 blue). */
public final class Cifar10Reader {
  public static final List<String> CLASSES = List.of("airplane", "automobile", "bird", "cat", "deer", "dog", "frog",
      "horse", "ship", "truck");
  private static final int RECORD = 1 + 3 * 32 * 32;

  private Cifar10Reader() {}

  /** The records of {@code files}, concatenated (e.g. data_batch_1.bin .. data_batch_5.bin). */
  public static ImageSet read(List<Path> files) {
    byte[][] contents = new byte[files.size()][];
    int total = 0;
    for (int f = 0; f < files.size(); f++) {
      Path file = files.get(f);
      try {
        contents[f] = Files.readAllBytes(file);
      } catch (NoSuchFileException e) {
        throw new DatasetException("no such file: " + file);
      } catch (IOException e) {
        throw new DatasetException("cannot read " + file + ": " + e.getMessage(), e);
      }
      if (contents[f].length == 0 || contents[f].length % RECORD != 0) {
        throw new DatasetException(file + " is not a CIFAR-10 binary batch: " + contents[f].length
            + " bytes is not a whole number of " + RECORD + "-byte records");
      }
      total += contents[f].length / RECORD;
    }
    byte[] pixels = new byte[total * (RECORD - 1)];
    int[] labels = new int[total];
    int image = 0;
    for (int f = 0; f < files.size(); f++) {
      for (int offset = 0; offset < contents[f].length; offset += RECORD, image++) {
        labels[image] = contents[f][offset] & 0xff;
        if (labels[image] >= CLASSES.size()) {
          throw new DatasetException(files.get(f) + " record " + offset / RECORD + " has label " + labels[image]
              + ": not CIFAR-10 (labels 0-9)");
        }
        System.arraycopy(contents[f], offset + 1, pixels, image * (RECORD - 1), RECORD - 1);
      }
    }
    return new ImageSet(pixels, labels, 3, 32, 32, CLASSES);
  }
}
