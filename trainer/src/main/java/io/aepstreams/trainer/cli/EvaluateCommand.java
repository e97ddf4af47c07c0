package io.aepstreams.trainer.cli;

import io.aepstreams.model.bundle.Manifest;
import io.aepstreams.model.data.ImageSet;
import io.aepstreams.model.policy.AnytimeEnsemble;
import io.aepstreams.model.prune.ExitLogits;
import io.aepstreams.model.prune.ExitSubset;
import io.aepstreams.model.prune.SubsetSearch;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "evaluate", mixinStandardHelpOptions = true,
    description = "Accuracy of each kept exit, of the full ensemble, and of the bundle's exit policy (with the share "
        + "of images leaving at each exit and the MACs saved) on a split.")
final class EvaluateCommand implements Callable<Integer> {
  @Mixin DataOptions data;

  @Option(names = "--model", required = true, description = "Bundle (directory or .zip).")
  Path model;

  @Option(names = "--split", description = "test or validation (default: ${DEFAULT-VALUE}).")
  String split = "test";

  @Override
  public Integer call() {
    if (!split.equals("test") && !split.equals("validation")) {
      throw new TrainerCli.UserError("--split must be test or validation, got " + split);
    }
    try (LoadedModel loaded = new LoadedModel(model, data)) {
      Manifest manifest = loaded.manifest();
      ImageSet images = split.equals("test") ? loaded.test() : loaded.validation();
      ExitLogits logits = loaded.logits(images);
      System.out.printf("%s %s (%s), %d %s images%n", manifest.name(), manifest.version(), manifest.scheme(),
          images.size(), split);
      for (int stage : manifest.exitStages()) {
        System.out.printf(Locale.ROOT, "exit %d alone: %.2f%%%n", stage,
            SubsetSearch.accuracy(logits, loaded.parts.weights(), new ExitSubset(List.of(stage))) * 100);
      }
      ExitSubset kept = new ExitSubset(manifest.exitStages());
      System.out.printf(Locale.ROOT, "ensemble of exits %s: %.2f%%%n", kept,
          SubsetSearch.accuracy(logits, loaded.parts.weights(), kept) * 100);
      Tables.exitReport(System.out, split, new AnytimeEnsemble(logits, loaded.parts.weights(), kept,
          manifest.policy().confidence(), loaded.macsAtExits()).evaluate(manifest.policy()));
    }
    return 0;
  }
}
