package io.aepstreams.trainer.cli;

import io.aepstreams.model.backbone.BackboneSpec;
import io.aepstreams.model.backbone.Backbones;
import io.aepstreams.model.ensemble.ExitWeights;
import io.aepstreams.model.ensemble.WeightScheme;
import io.aepstreams.model.training.TrainingBenchmark;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Training images/s of a backbone at a batch size, beside a bare DJL forward+backward+optimizer loop "
        + "on the same network in the same run (the limit for this engine). Uses random images: no dataset needed.")
final class BenchCommand implements Callable<Integer> {
  @Option(names = "--backbone", description = "Backbone (default: ${DEFAULT-VALUE}).")
  String backbone = "vgg-mini";

  @Option(names = "--width", description = "Width multiplier (default: ${DEFAULT-VALUE}).")
  double width = 1.0;

  @Option(names = "--batch-size", description = "Images per batch (default: ${DEFAULT-VALUE}).")
  int batchSize = 64;

  @Option(names = "--batches", description = "Batches per timed round (default: ${DEFAULT-VALUE}).")
  int batches = 40;

  @Option(names = "--rounds", description = "Timed rounds of each loop, alternating; the best counts "
      + "(default: ${DEFAULT-VALUE}).")
  int rounds = 3;

  @Option(names = "--image", description = "Input as CxHxW (default: ${DEFAULT-VALUE}, Fashion-MNIST).")
  String image = "1x28x28";

  @Option(names = "--classes", description = "Classes (default: ${DEFAULT-VALUE}).")
  int classes = 10;

  @Override
  public Integer call() {
    if (!Backbones.names().contains(backbone)) {
      throw new TrainerCli.UserError("unknown --backbone '" + backbone + "'; known: "
          + String.join(", ", Backbones.names()));
    }
    if (batchSize < 1 || batches < 1 || rounds < 1) {
      throw new TrainerCli.UserError("--batch-size, --batches and --rounds must be at least 1");
    }
    String[] chw = image.toLowerCase(Locale.ROOT).split("x");
    if (chw.length != 3) {
      throw new TrainerCli.UserError("--image must look like 1x28x28, got " + image);
    }
    BackboneSpec spec;
    try {
      spec = new BackboneSpec(backbone, Integer.parseInt(chw[0]), Integer.parseInt(chw[1]), Integer.parseInt(chw[2]),
          classes, width);
    } catch (NumberFormatException e) {
      throw new TrainerCli.UserError("--image must look like 1x28x28, got " + image);
    }
    System.out.printf("bench: %s x%.2f, %s, batch %d, %d batches x %d rounds, %d CPU threads%n", backbone, width,
        image, batchSize, batches, rounds, Runtime.getRuntime().availableProcessors());
    TrainingBenchmark.Result result = TrainingBenchmark.run(spec, ExitWeights.of(WeightScheme.MIX, 4), batchSize,
        batches, rounds, 420);
    System.out.printf(Locale.ROOT, "trainer loop: %,.0f images/s%n", result.trainerImagesPerSecond());
    System.out.printf(Locale.ROOT, "bare DJL loop: %,.0f images/s%n", result.bareImagesPerSecond());
    System.out.printf(Locale.ROOT, "trainer / bare: %.1f%%%n", result.ratio() * 100);
    return 0;
  }
}
