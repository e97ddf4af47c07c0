package io.aepstreams.model.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Finds and reads a dataset folder in any supported layout:
 * <ul>
 *   <li>IDX (MNIST, Fashion-MNIST): {@code train-images-idx3-ubyte[.gz]}, {@code train-labels-idx1-ubyte[.gz]},
 *       {@code t10k-...} for the test split;</li>
 *   <li>CIFAR-10 binary: {@code data_batch_1.bin} .. {@code data_batch_5.bin}, {@code test_batch.bin};</li>
 *   <li>image folders: {@code train/<class>/*.png} and {@code test/<class>/*.png}.</li>
 * </ul>
 */
public final class Datasets {
  /** Where Debian's dataset-fashion-mnist package puts the files. */
  public static final Path FASHION_MNIST = Path.of("/usr/share/datasets/fashion-mnist");

  public enum Split { TRAIN, TEST }

  private Datasets() {}

  /**
   * Reads one split of the dataset in {@code dir} as (channels, height, width): image folders are read at that size,
   * IDX and CIFAR-10 resized to it ({@link ImageSet#resized}).
   */
  public static ImageSet read(Path dir, Split split, int channels, int height, int width) {
    return readAsStored(dir, split, channels, height, width).resized(channels, height, width);
  }

  /**
   * Reads one split as stored: IDX and CIFAR-10 at their own size and channels (what a producer of that dataset
   * sends); image folders, which have no one size, at (channels, height, width).
   */
  public static ImageSet readAsStored(Path dir, Split split, int channels, int height, int width) {
    if (!Files.isDirectory(dir)) {
      throw new DatasetException("no such dataset folder: " + dir
          + (dir.equals(FASHION_MNIST) ? " (install Debian's package dataset-fashion-mnist)" : ""));
    }
    String idxPrefix = split == Split.TRAIN ? "train" : "t10k";
    Path idxImages = firstExisting(dir, idxPrefix + "-images-idx3-ubyte");
    if (idxImages != null) {
      Path idxLabels = firstExisting(dir, idxPrefix + "-labels-idx1-ubyte");
      if (idxLabels == null) {
        throw new DatasetException("no such file: " + dir.resolve(idxPrefix + "-labels-idx1-ubyte[.gz]"));
      }
      boolean fashion = dir.toString().toLowerCase(Locale.ROOT).contains("fashion");
      return IdxReader.read(idxImages, idxLabels, fashion ? IdxReader.FASHION_MNIST_CLASSES : null);
    }
    if (Files.exists(dir.resolve("data_batch_1.bin")) || Files.exists(dir.resolve("test_batch.bin"))) {
      List<Path> files = new ArrayList<>();
      if (split == Split.TRAIN) {
        for (int i = 1; i <= 5; i++) {
          files.add(dir.resolve("data_batch_" + i + ".bin"));
        }
      } else {
        files.add(dir.resolve("test_batch.bin"));
      }
      return Cifar10Reader.read(files);
    }
    Path folder = dir.resolve(split == Split.TRAIN ? "train" : "test");
    if (Files.isDirectory(folder)) {
      return ImageFolderReader.read(folder, channels, height, width);
    }
    throw new DatasetException(dir + " holds no dataset this tool reads: expected IDX files (" + idxPrefix
        + "-images-idx3-ubyte[.gz]), CIFAR-10 batches (data_batch_1.bin) or image folders ("
        + folder.getFileName() + "/<class>/*.png)");
  }

  private static Path firstExisting(Path dir, String name) {
    for (String candidate : new String[] {name + ".gz", name}) {
      if (Files.isRegularFile(dir.resolve(candidate))) {
        return dir.resolve(candidate);
      }
    }
    return null;
  }
}
