package io.aepstreams.trainer.cli;

import io.aepstreams.model.backbone.BackboneSpec;
import io.aepstreams.model.bundle.ModelBundle;
import io.aepstreams.model.data.ImageSet;
import io.aepstreams.model.ensemble.WeightScheme;
import io.aepstreams.model.policy.Confidence;
import io.aepstreams.model.training.TrainingOptions;
import io.aepstreams.trainer.compare.Comparison;
import io.aepstreams.trainer.compare.ComparisonReport;
import io.aepstreams.trainer.compare.SchemeResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "compare", mixinStandardHelpOptions = true,
    description = {"Trains SINGLE and the four AEP schemes (UNIF, ASC, DESC, MIX) on the same data and seed; prunes, "
        + "calibrates and measures each; writes the paper-style table (Markdown and JSON) and plots (PNG).",
        "Each scheme's bundle and result.json go under --models; --report-only rebuilds the report from them.",
        "Run again with the same setup, it keeps the schemes already done and resumes the unfinished one from its "
            + "last epoch (each epoch is checkpointed under --models)."})
final class CompareCommand implements Callable<Integer> {
  @Mixin DataOptions data;
  @Mixin TrainingFlags training;

  @Option(names = "--out", description = "Folder for the report (default: ${DEFAULT-VALUE}).")
  Path out = Path.of("docs/results/fashion-mnist-vgg-mini");

  @Option(names = "--models", description = "Folder for each scheme's bundle and results (default: ${DEFAULT-VALUE}).")
  Path models = Path.of("runs/compare");

  @Option(names = "--schemes", split = ",", description = "Schemes to run (default: SINGLE,UNIF,ASC,DESC,MIX).")
  List<WeightScheme> schemes = List.of(WeightScheme.SINGLE, WeightScheme.UNIF, WeightScheme.ASC,
      WeightScheme.DESC, WeightScheme.MIX);

  @Option(names = "--max-accuracy-drop", description = "Calibration target: points below the full ensemble "
      + "(default: ${DEFAULT-VALUE}).")
  double maxAccuracyDrop = 0.5;

  @Option(names = "--confidence", description = "MAX_SOFTMAX, MARGIN or ENTROPY (default: ${DEFAULT-VALUE}).")
  Confidence confidence = Confidence.MAX_SOFTMAX;

  @Option(names = "--latency-passes", description = "Timed batch-1 passes per network, after a tenth as many "
      + "warm-ups (default: ${DEFAULT-VALUE}, the paper's).")
  int latencyPasses = 1000;

  @Option(names = "--report-only", description = "Do not train: rebuild the report from --models.")
  boolean reportOnly;

  @Option(names = "--remeasure-latency", description = "With --report-only: measure the batch-1 latencies again "
      + "(and save them), e.g. on a quieter machine.")
  boolean remeasureLatency;

  @Option(names = "--command-line", hidden = true, description = "How this run was started, for the report.")
  String commandLine;

  @Override
  public Integer call() throws Exception {
    TrainingOptions options = training.options();
    List<SchemeResult> results = new ArrayList<>();
    Map<String, Object> setup = new LinkedHashMap<>();
    if (reportOnly) {
      for (WeightScheme scheme : schemes) {
        Path dir = models.resolve(scheme.name().toLowerCase());
        if (!Files.exists(dir.resolve("result.json"))) {
          throw new TrainerCli.UserError("no result for " + scheme + " in " + dir + ": run compare without "
              + "--report-only first");
        }
        SchemeResult result = Comparison.read(dir);
        if (remeasureLatency) {
          BackboneSpec spec = ModelBundle.open(Path.of(result.bundle())).manifest().backbone();
          result = Comparison.remeasureLatency(result, spec, Math.max(1, latencyPasses / 10), latencyPasses);
          Comparison.write(dir, result);
        }
        results.add(result);
      }
      Path saved = models.resolve("setup.json");
      if (Files.exists(saved)) {
        setup.putAll(new com.fasterxml.jackson.databind.ObjectMapper().readValue(saved.toFile(), Map.class));
      }
    } else {
      List<ImageSet> split = data.trainAndValidation(options.seed());
      ImageSet train = split.get(0);
      ImageSet validation = split.get(1);
      ImageSet test = data.test();
      BackboneSpec spec = training.spec(train);
      setup.put("dataset", data.data.toString());
      setup.put("images (train / validation / test)", train.size() + " / " + validation.size() + " / " + test.size());
      setup.put("backbone", spec.name() + " x" + spec.widthMultiplier());
      setup.put("optimizer", "Adam lr " + options.learningRate());
      setup.put("batch", options.batchSize());
      setup.put("max epochs", options.maxEpochs());
      setup.put("patience", options.patience());
      setup.put("seed", options.seed());
      setup.put("confidence", confidence.name());
      setup.put("CPU threads", Runtime.getRuntime().availableProcessors());
      setup.put("calibration", "at most " + maxAccuracyDrop + " points below the full ensemble");
      Files.createDirectories(models);
      Path saved = models.resolve("setup.json");
      com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
      if (Files.exists(saved) && !json.readValue(saved.toFile(), Map.class).equals(json.convertValue(setup, Map.class))) {
        throw new TrainerCli.UserError(models + " holds a comparison with another setup (" + saved + "): give "
            + "another --models folder, or delete that one to start again");
      }
      json.writerWithDefaultPrettyPrinter().writeValue(saved.toFile(), setup);
      Comparison.Setup run = new Comparison.Setup(spec, options, confidence, maxAccuracyDrop,
          Math.max(1, latencyPasses / 10), latencyPasses);
      for (WeightScheme scheme : schemes) {
        Path dir = models.resolve(scheme.name().toLowerCase());
        if (Files.exists(dir.resolve("result.json"))) {
          // a run stopped part-way goes on: finished schemes are kept, the unfinished one resumes its checkpoint
          System.out.println(scheme + ": already done in " + dir + ", kept");
          results.add(Comparison.read(dir));
          continue;
        }
        results.add(Comparison.run(scheme, run, train, validation, test, dir, System.out));
      }
    }
    String title = "AEP against single-output training: " + setup.getOrDefault("backbone", training.backbone)
        + " on " + Path.of(String.valueOf(setup.getOrDefault("dataset", data.data))).getFileName();
    String command = commandLine != null ? commandLine : "./aep trainer compare (see setup)";
    ComparisonReport.write(out, title, command, setup, results);
    System.out.println("report: " + out.resolve("comparison.md"));
    return 0;
  }
}
