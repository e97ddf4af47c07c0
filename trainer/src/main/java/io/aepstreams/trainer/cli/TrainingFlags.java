package io.aepstreams.trainer.cli;

import io.aepstreams.model.backbone.BackboneSpec;
import io.aepstreams.model.backbone.Backbones;
import io.aepstreams.model.data.ImageSet;
import io.aepstreams.model.training.TrainingOptions;
import picocli.CommandLine.Option;

/** The network and how to train it; {@code --paper} gives the paper's setup. */
final class TrainingFlags {
  @Option(names = "--backbone", description = "One of: vgg-mini, resnet-mini, vgg16, resnet50, mobilenetv3-small "
      + "(default: ${DEFAULT-VALUE}).")
  String backbone = "vgg-mini";

  @Option(names = "--width", description = "Width multiplier for every layer (default: ${DEFAULT-VALUE}).")
  double width = 1.0;

  @Option(names = "--paper", description = "The paper's setup: at most 100 epochs, lr 1e-4, batch 64, "
      + "patience 12, seed 420 (flags given beside it still win).")
  boolean paper;

  @Option(names = "--epochs", description = "Most epochs (default: 10; with --paper 100).")
  Integer epochs;

  @Option(names = "--batch-size", description = "Images per batch (default: 64).")
  Integer batchSize;

  @Option(names = "--lr", description = "Adam's learning rate (default: 1e-3; with --paper 1e-4).")
  Float learningRate;

  @Option(names = "--patience", description = "Epochs without a better validation loss before stopping "
      + "(default: 12).")
  Integer patience;

  @Option(names = "--seed", description = "Random seed for the split, the initial weights and the order "
      + "(default: 420).")
  Long seed;

  @Option(names = "--device", description = "cpu, gpu or gpu:N (default: ${DEFAULT-VALUE}); a GPU needs PyTorch's "
      + "CUDA natives, see the README.")
  String device = "cpu";

  TrainingOptions options() {
    TrainingOptions base = paper ? TrainingOptions.paper() : new TrainingOptions(10, 64, 1e-3f, 12, 420);
    return new TrainingOptions(epochs != null ? epochs : base.maxEpochs(),
        batchSize != null ? batchSize : base.batchSize(),
        learningRate != null ? learningRate : base.learningRate(),
        patience != null ? patience : base.patience(),
        seed != null ? seed : base.seed(), device);
  }

  BackboneSpec spec(ImageSet train) {
    if (!Backbones.names().contains(backbone)) {
      throw new TrainerCli.UserError("unknown --backbone '" + backbone + "'; known: "
          + String.join(", ", Backbones.names()));
    }
    return new BackboneSpec(backbone, train.channels(), train.height(), train.width(), train.classes(), width);
  }
}
