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

  @Option(names = "--image-size", paramLabel = "HxW", description = "Size to resize image folders to "
      + "(default: ${DEFAULT-VALUE}); IDX and CIFAR-10 keep their own.")
  String imageSize = "28x28";

  @Option(names = "--channels", description = "1 (grayscale) or 3 (RGB) for image folders (default: ${DEFAULT-VALUE}).")
  int channels = 1;

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
    if (validation >= all.size()) {
      throw new TrainerCli.UserError("--validation " + validation + " leaves no training images out of "
          + all.size());
    }
    return all.split(validation, seed);
  }

  ImageSet test() {
    ImageSet test = read(Datasets.Split.TEST);
    return limit == null ? test : test.head(Math.max(1, limit / 6));
  }

  private ImageSet read(Datasets.Split split) {
    String[] hw = imageSize.toLowerCase().split("x");
    if (hw.length != 2) {
      throw new TrainerCli.UserError("--image-size must look like 28x28, got " + imageSize);
    }
    try {
      return Datasets.read(data, split, channels, Integer.parseInt(hw[0]), Integer.parseInt(hw[1]));
    } catch (NumberFormatException e) {
      throw new TrainerCli.UserError("--image-size must look like 28x28, got " + imageSize);
    }
  }
}
