package io.aepstreams.trainer.cli;

import io.aepstreams.model.data.Datasets;
import io.aepstreams.model.data.ImageSet;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/** Where the images come from and how the validation split is held out. */
final class DataOptions {
  @Option(names = "--data", paramLabel = "DIR",
      description = "Dataset folder: IDX files, CIFAR-10 batches or train/ and test/ image folders "
          + "(default: ${DEFAULT-VALUE}, Debian's dataset-fashion-mnist).")
  Path data = Datasets.FASHION_MNIST;

  @Option(names = "--validation", paramLabel = "N",
      description = "Images held out of the training split for validation (default: 9000, the paper's; for a "
          + "saved model, the number it was trained with).")
  Integer validationOption;

  int validation = 9000;

  boolean validationGiven() {
    return validationOption != null;
  }

  @Option(names = "--limit", paramLabel = "N",
      description = "Use only the first N training and N/6 test images, for a quick run.")
  Integer limit;

  @Option(names = "--test-limit", paramLabel = "N",
      description = "Use only the first N test images (default: all; with --limit, N/6 of it).")
  Integer testLimit;

  @Option(names = "--image-size", paramLabel = "HxW", description = "Size every image is resized to, whatever the "
      + "dataset (default: 28x28; for a saved model, its input); bilinear, antialiased when shrinking, as the "
      + "stream resizes.")
  String imageSize;

  @Option(names = "--channels", description = "1 (grayscale) or 3 (RGB; gray images copied to each channel) "
      + "(default: 1; for a saved model, its input).")
  Integer channels;

  /** The shape a saved model takes, for what the command line leaves unsaid. */
  void defaultShape(int modelChannels, int height, int width) {
    if (channels == null) {
      channels = modelChannels;
    }
    if (imageSize == null) {
      imageSize = height + "x" + width;
    }
  }

  /** [train, validation], split with {@code seed}. */
  List<ImageSet> trainAndValidation(long seed) {
    if (validationOption != null) {
      validation = validationOption;
    }
    if (validation < 1) {
      throw new TrainerCli.UserError("--validation must be at least 1, got " + validation);
    }
    ImageSet all = read(Datasets.Split.TRAIN);
    if (limit != null) {
      all = all.head(limit + validation);
    }
    all = resized(all);
    if (validation >= all.size()) {
      throw new TrainerCli.UserError("--validation " + validation + " leaves no training images out of "
          + all.size());
    }
    return all.split(validation, seed);
  }

  ImageSet test() {
    ImageSet test = read(Datasets.Split.TEST);
    Integer count = testLimit != null ? testLimit : limit != null ? Integer.valueOf(Math.max(1, limit / 6)) : null;
    if (count != null && count < 1) {
      throw new TrainerCli.UserError("--test-limit must be at least 1, got " + count);
    }
    return resized(count == null ? test : test.head(count));
  }

  /** As stored (a folder at the size asked), so that only the images used are resized. */
  private ImageSet read(Datasets.Split split) {
    int[] hw = size();
    return Datasets.readAsStored(data, split, channels, hw[0], hw[1]);
  }

  private ImageSet resized(ImageSet set) {
    int[] hw = size();
    return set.resized(channels, hw[0], hw[1]);
  }

  private int[] size() {
    defaultShape(1, 28, 28);
    if (channels != 1 && channels != 3) {
      throw new TrainerCli.UserError("--channels must be 1 or 3, got " + channels);
    }
    String[] hw = imageSize.toLowerCase(java.util.Locale.ROOT).split("x");
    try {
      int height = hw.length == 2 ? Integer.parseInt(hw[0]) : 0;
      int width = hw.length == 2 ? Integer.parseInt(hw[1]) : 0;
      if (height >= 1 && width >= 1 && height <= 1024 && width <= 1024) {
        return new int[] {height, width};
      }
    } catch (NumberFormatException e) {
      // the message below
    }
    throw new TrainerCli.UserError("--image-size must look like 64x64 (1 to 1024 each), got " + imageSize);
  }
}
