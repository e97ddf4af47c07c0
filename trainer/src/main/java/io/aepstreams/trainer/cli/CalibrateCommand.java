package io.aepstreams.trainer.cli;

import io.aepstreams.model.bundle.Manifest;
import io.aepstreams.model.bundle.ModelBundle;
import io.aepstreams.model.policy.AnytimeEnsemble;
import io.aepstreams.model.policy.Confidence;
import io.aepstreams.model.policy.ExitReport;
import io.aepstreams.model.policy.ThresholdCalibration;
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
        "Then measures them on the test split and writes them into the bundle's manifest."})
final class CalibrateCommand implements Callable<Integer> {
  @Mixin DataOptions data;

  @Option(names = "--model", required = true, description = "Bundle directory to calibrate (rewritten in place).")
  Path model;

  @Option(names = "--max-accuracy-drop", description = "Points of accuracy the early exits may lose against the "
      + "full ensemble, on validation (default: ${DEFAULT-VALUE}).")
  double maxAccuracyDrop = 0.5;

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
    try (LoadedModel loaded = new LoadedModel(model, data)) {
      ExitSubset kept = new ExitSubset(loaded.manifest().exitStages());
      long[] macsAt = loaded.macsAtExits();
      AnytimeEnsemble validation = new AnytimeEnsemble(loaded.logits(loaded.validation()), loaded.parts.weights(),
          kept, confidence, macsAt);
      ThresholdCalibration.Result result = ThresholdCalibration.calibrate(validation, confidence, maxAccuracyDrop);
      ExitReport test = new AnytimeEnsemble(loaded.logits(loaded.test()), loaded.parts.weights(), kept, confidence,
          macsAt).evaluate(result.policy());
      System.out.printf(Locale.ROOT, "thresholds (%s): %s%n", confidence, result.policy().thresholds());
      Tables.exitReport(System.out, "validation", result.report());
      Tables.exitReport(System.out, "test", test);
      Map<String, Object> metrics = new LinkedHashMap<>(loaded.manifest().metrics());
      metrics.put("calibration", Map.of("maxAccuracyDropPoints", maxAccuracyDrop, "confidence", confidence.name(),
          "validation", result.report(), "test", test));
      Manifest manifest = ModelBundle.rewriteManifest(model,
          loaded.manifest().withPolicy(result.policy()).withMetrics(metrics));
      System.out.println("wrote the policy into " + model + " (version " + manifest.version() + ")");
    }
    return 0;
  }
}
