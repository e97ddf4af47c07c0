package io.aepstreams.trainer.cli;

import io.aepstreams.model.bundle.Manifest;
import io.aepstreams.model.bundle.ModelBundle;
import io.aepstreams.model.policy.AnytimeEnsemble;
import io.aepstreams.model.policy.Confidence;
import io.aepstreams.model.policy.ExitReport;
import io.aepstreams.model.policy.OperatingPoint;
import io.aepstreams.model.policy.ThresholdCalibration;
import io.aepstreams.trainer.compare.Charts;
import io.aepstreams.trainer.compare.Comparison;
import io.aepstreams.trainer.compare.SchemeResult;
import java.util.List;
import io.aepstreams.model.prune.ExitSubset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "calibrate", mixinStandardHelpOptions = true,
    description = {"Sets the exit thresholds of a (pruned) bundle: on the validation split, the thresholds with the "
        + "lowest expected MACs whose accuracy stays within --max-accuracy-drop points of the full ensemble.",
        "In the same pass it makes a ladder of operating points, one per --budgets value, measures each on the test "
            + "split and writes them into the bundle's manifest, with a plot of the trade-off."})
final class CalibrateCommand implements Callable<Integer> {
  @Mixin DataOptions data;

  @Option(names = "--model", required = true, description = "Bundle directory to calibrate (rewritten in place).")
  Path model;

  @Option(names = "--max-accuracy-drop", description = "Points of accuracy the early exits may lose against the "
      + "full ensemble, on validation (default: ${DEFAULT-VALUE}).")
  double maxAccuracyDrop = 0.5;

  @Option(names = "--budgets", split = ",", description = "Accuracy budgets, in points below the full ensemble, to "
      + "make operating points for; --max-accuracy-drop is always one of them (default: 0,0.25,0.5,1,2,3).")
  double[] budgets = OperatingPoint.DEFAULT_BUDGETS;

  @Option(names = "--plot", description = "Where to write the trade-off plot (PNG): test accuracy against expected "
      + "MACs, the operating points marked (default: operating-points.png beside the bundle directory).")
  Path plot;

  @Option(names = "--confidence", description = "MAX_SOFTMAX, MARGIN or ENTROPY (default: ${DEFAULT-VALUE}).")
  Confidence confidence = Confidence.MAX_SOFTMAX;

  @Override
  public Integer call() {
    if (!Files.isDirectory(model)) {
      throw new TrainerCli.UserError("--model must be a bundle directory (a .zip cannot be rewritten): " + model);
    }
    if (maxAccuracyDrop < 0) {
      throw new TrainerCli.UserError("--max-accuracy-drop must be zero or more points, got " + maxAccuracyDrop);
    }
    for (double budget : budgets) {
      if (!(budget >= 0) || Double.isInfinite(budget)) {
        throw new TrainerCli.UserError("--budgets must be zero or more points each, got " + budget);
      }
    }
    try (LoadedModel loaded = new LoadedModel(model, data)) {
      ExitSubset kept = new ExitSubset(loaded.manifest().exitStages());
      long[] macsAt = loaded.macsAtExits();
      AnytimeEnsemble validation = new AnytimeEnsemble(loaded.logits(loaded.validation()), loaded.parts.weights(),
          kept, confidence, macsAt);
      ThresholdCalibration.Result result = ThresholdCalibration.calibrate(validation, confidence, maxAccuracyDrop,
          budgets);
      AnytimeEnsemble onTest = new AnytimeEnsemble(loaded.logits(loaded.test()), loaded.parts.weights(), kept,
          confidence, macsAt);
      ExitReport test = onTest.evaluate(result.policy());
      List<SchemeResult.Point> points = Comparison.points(result.points(), onTest, confidence);
      System.out.printf(Locale.ROOT, "thresholds (%s): %s%n", confidence, result.policy().thresholds());
      Tables.exitReport(System.out, "validation", result.report());
      Tables.exitReport(System.out, "test", test);
      int inForce = result.points().stream().filter(p -> p.hasThresholds(result.policy())).findFirst()
          .orElseThrow().index();
      Tables.operatingPoints(System.out, points, inForce);
      Map<String, Object> metrics = new LinkedHashMap<>(loaded.manifest().metrics());
      metrics.put("calibration", Map.of("maxAccuracyDropPoints", maxAccuracyDrop, "confidence", confidence.name(),
          "validation", result.report(), "test", test, "points", points));
      Manifest manifest = ModelBundle.rewriteManifest(model,
          loaded.manifest().withPoints(result.points(), inForce).withMetrics(metrics));
      Path chart = plot != null ? plot : model.toAbsolutePath().resolveSibling("operating-points.png");
      try {
        Charts.operatingPoints(List.of(new Charts.Curve(manifest.name(), points)),
            manifest.name() + ": operating points, test accuracy against compute", chart);
      } catch (java.io.IOException e) {
        throw new TrainerCli.UserError("cannot write the plot " + chart + ": " + e.getMessage());
      }
      System.out.println("wrote " + points.size() + " operating points and the policy of point " + inForce
          + " into " + model + " (version " + manifest.version() + "); plot: " + chart);
    }
    return 0;
  }
}
