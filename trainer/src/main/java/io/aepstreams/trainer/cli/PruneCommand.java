package io.aepstreams.trainer.cli;

import io.aepstreams.model.bundle.BundleExport;
import io.aepstreams.model.bundle.Manifest;
import io.aepstreams.model.cost.NetworkCosts;
import io.aepstreams.model.cost.StageCost;
import io.aepstreams.model.policy.ExitPolicy;
import io.aepstreams.model.prune.ExitLogits;
import io.aepstreams.model.prune.ExitSubset;
import io.aepstreams.model.prune.SubsetScore;
import io.aepstreams.model.prune.SubsetSearch;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "prune", mixinStandardHelpOptions = true,
    description = "Scores every non-empty subset of the model's exits on the validation split (b-weighted ensemble, "
        + "top-1), keeps the best and writes the network cut after its deepest exit.")
final class PruneCommand implements Callable<Integer> {
  @Mixin DataOptions data;

  @Option(names = "--model", required = true, description = "Bundle (directory or .zip) to prune.")
  Path model;

  @Option(names = "--out", required = true, description = "Bundle directory to write.")
  Path out;

  @Override
  public Integer call() {
    try (LoadedModel loaded = new LoadedModel(model, data)) {
      ExitLogits validation = loaded.logits(loaded.validation());
      List<SubsetScore> scores = SubsetSearch.scoreAll(validation, loaded.parts.weights());
      List<StageCost> costs = NetworkCosts.of(loaded.parts.network(), loaded.parts.input().shape(),
          loaded.parts.manager());
      System.out.printf("%-12s %10s %14s%n", "exits", "val acc", "MACs/image");
      for (SubsetScore score : scores) {
        long macs = costs.stream().filter(c -> c.stage() <= score.subset().deepest())
            .mapToLong(c -> c.block().macs() + (score.subset().stages().contains(c.stage()) ? c.head().macs() : 0))
            .sum();
        System.out.printf(Locale.ROOT, "%-12s %9.2f%% %,14d%n", score.subset(), score.accuracy() * 100, macs);
      }
      ExitSubset best = scores.get(0).subset();
      Map<String, Object> metrics = new LinkedHashMap<>(loaded.manifest().metrics());
      metrics.put("validationAccuracy", scores.get(0).accuracy());
      metrics.put("pruning", Map.of("from", loaded.manifest().exitStages(), "kept", best.stages(),
          "subsets", scores.stream().map(s -> Map.of("exits", s.subset().stages(), "validationAccuracy",
              s.accuracy())).toList()));
      Manifest manifest = BundleExport.write(out, loaded.manifest().name(), loaded.parts, best,
          ExitPolicy.off(loaded.manifest().policy().confidence()), metrics);
      System.out.printf(Locale.ROOT, "kept exits %s (validation %.2f%%): %s, version %s, %,d params (was %,d)%n",
          best, scores.get(0).accuracy() * 100, out, manifest.version(), manifest.totalParams(),
          loaded.manifest().totalParams());
    }
    return 0;
  }
}
