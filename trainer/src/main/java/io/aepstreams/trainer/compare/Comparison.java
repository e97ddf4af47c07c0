package io.aepstreams.trainer.compare;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.aepstreams.model.backbone.AepNetwork;
import io.aepstreams.model.backbone.BackboneSpec;
import io.aepstreams.model.backbone.Backbones;
import io.aepstreams.model.backbone.StagedNetwork;
import io.aepstreams.model.bundle.BundleExport;
import io.aepstreams.model.bundle.ModelBundle;
import io.aepstreams.model.cost.Cost;
import io.aepstreams.model.cost.LatencyMeter;
import io.aepstreams.model.cost.NetworkCosts;
import io.aepstreams.model.cost.StageCost;
import io.aepstreams.model.data.ImageSet;
import io.aepstreams.model.ensemble.ExitWeights;
import io.aepstreams.model.ensemble.WeightScheme;
import io.aepstreams.model.policy.AnytimeEnsemble;
import io.aepstreams.model.policy.Confidence;
import io.aepstreams.model.policy.ExitReport;
import io.aepstreams.model.policy.ThresholdCalibration;
import io.aepstreams.model.prune.ExitLogits;
import io.aepstreams.model.prune.ExitSubset;
import io.aepstreams.model.prune.PruneAndCalibrate;
import io.aepstreams.model.policy.OperatingPoint;
import io.aepstreams.model.prune.SubsetScore;
import io.aepstreams.model.prune.SubsetSearch;
import io.aepstreams.model.training.AepTraining;
import io.aepstreams.model.training.ConsoleProgress;
import io.aepstreams.model.training.ExitEvaluation;
import io.aepstreams.model.training.EpochStats;
import io.aepstreams.model.training.TrainedModel;
import io.aepstreams.model.training.TrainingCheckpoint;
import io.aepstreams.model.training.TrainingOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The paper's comparison on one dataset: SINGLE and the four AEP schemes trained on the same data with the same
 * seed, each pruned on validation, calibrated, measured, and saved as a bundle.
 */
public final class Comparison {
  static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** What to compare. */
  public record Setup(BackboneSpec backbone, TrainingOptions training, Confidence confidence,
      double maxAccuracyDropPoints, int latencyWarmups, int latencyPasses) {}

  private Comparison() {}

  /**
   * Trains, prunes, calibrates and measures one scheme; writes its bundle and result.json under {@code dir}. Training
   * checkpoints every epoch in {@code dir/checkpoint} and goes on from there when run again.
   */
  public static SchemeResult run(WeightScheme scheme, Setup setup, ImageSet train, ImageSet validation,
      ImageSet test, Path dir, PrintStream log) {
    int exits = 4;
    ExitWeights weights = ExitWeights.of(scheme, exits);
    TrainingCheckpoint checkpoint = new TrainingCheckpoint(dir.resolve("checkpoint"));
    try (TrainedModel model = AepTraining.train(setup.backbone(), weights, train, validation, setup.training(),
        new ConsoleProgress(log, scheme.name(), setup.training().maxEpochs()), checkpoint)) {
      // a resumed run's training time is that of all its epochs, whichever process ran them
      double trainSeconds = model.history().stream().mapToDouble(EpochStats::seconds).sum();
      NDManager manager = model.model().getNDManager();
      ExitLogits val = ExitEvaluation.logits(model.network(), model.input(), validation, manager);
      ExitLogits tst = ExitEvaluation.logits(model.network(), model.input(), test, manager);

      PruneAndCalibrate.Result prepared = PruneAndCalibrate.run(model.parts(), val, setup.confidence(),
          setup.maxAccuracyDropPoints());
      List<StageCost> costs = prepared.costs();
      List<SchemeResult.SubsetResult> subsets = new ArrayList<>();
      for (SubsetScore score : prepared.scores()) {
        Cost cost = NetworkCosts.subset(costs, score.subset());
        subsets.add(new SchemeResult.SubsetResult(score.subset().stages(), score.accuracy(),
            SubsetSearch.accuracy(tst, weights, score.subset()), cost.params(), cost.macs()));
      }
      SchemeResult.SubsetResult chosen = subsets.get(0);
      ExitSubset subset = prepared.subset();
      log.printf("%s: pruned to exits %s (validation %.2f%%, test %.2f%%)%n", scheme, subset,
          chosen.validationAccuracy() * 100, chosen.testAccuracy() * 100);

      AepNetwork pruned = BundleExport.pruned(model.parts(), subset);
      List<List<Double>> latency = LatencyMeter.interleaved(List.of(model.network(), pruned),
          model.input().shape(), setup.latencyWarmups(), setup.latencyPasses(), manager);
      SchemeResult.Footprint fullFootprint = footprint(costs, latency.get(0));
      SchemeResult.Footprint prunedFootprint =
          footprint(NetworkCosts.of(pruned, model.input().shape(), manager), latency.get(1));

      ThresholdCalibration.Result calibrated = prepared.calibration();
      AnytimeEnsemble onTest = new AnytimeEnsemble(tst, weights, subset, setup.confidence(), prepared.macsAt());
      ExitReport testReport = onTest.evaluate(calibrated.policy());
      SchemeResult.Calibration calibration = new SchemeResult.Calibration(setup.confidence().name(),
          setup.maxAccuracyDropPoints(), calibrated.policy().thresholds(), outcome(calibrated.report()),
          outcome(testReport), points(calibrated.points(), onTest, setup.confidence()));
      log.printf("%s: calibrated for at most %.1f points below the full ensemble: test accuracy %.2f%% "
              + "(full %.2f%%), exits %s, MACs saved %.1f%%%n", scheme, setup.maxAccuracyDropPoints(),
          testReport.accuracy() * 100, testReport.fullAccuracy() * 100, testReport.exitShares(),
          testReport.macsSaved() * 100);

      Path bundleDir = dir.resolve("bundle");
      Map<String, Object> metrics = new LinkedHashMap<>();
      metrics.put("validationAccuracy", chosen.validationAccuracy());
      metrics.put("testAccuracy", chosen.testAccuracy());
      metrics.put("calibration", calibration);
      metrics.put("training", Map.of("seed", setup.training().seed(), "validationImages", validation.size(),
          "epochs", model.history().size(), "bestEpoch", model.bestEpoch(),
          "learningRate", setup.training().learningRate(), "batchSize", setup.training().batchSize()));
      String name = model.name();
      BundleExport.write(bundleDir, name, model.parts(), subset, calibrated.policy(), calibrated.points(), metrics);
      ModelBundle.zip(bundleDir, dir.resolve(name + ".zip"));

      List<Double> valExit = new ArrayList<>();
      List<Double> testExit = new ArrayList<>();
      for (int e = 0; e < val.exits().size(); e++) {
        ExitSubset one = new ExitSubset(List.of(val.exits().get(e)));
        valExit.add(SubsetSearch.accuracy(val, weights, one));
        testExit.add(SubsetSearch.accuracy(tst, weights, one));
      }
      SchemeResult result = new SchemeResult(scheme.name(), weights.a(), weights.b(), model.history().size(),
          model.bestEpoch(), trainSeconds, model.history(), model.network().exits(), valExit, testExit,
          AepTraining.ensembleAccuracy(val, weights), AepTraining.ensembleAccuracy(tst, weights), subsets,
          subset.stages(), chosen.validationAccuracy(), chosen.testAccuracy(), fullFootprint, prunedFootprint,
          calibration, bundleDir.toString());
      write(dir, result);
      checkpoint.delete(); // the bundle and result.json hold what it protected
      return result;
    }
  }

  /** Saves {@code result} as {@code dir/result.json}. */
  public static void write(Path dir, SchemeResult result) {
    try {
      Files.createDirectories(dir);
      JSON.writeValue(dir.resolve("result.json").toFile(), result);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + dir.resolve("result.json"), e);
    }
  }

  public static SchemeResult read(Path dir) {
    try {
      return JSON.readValue(dir.resolve("result.json").toFile(), SchemeResult.class);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + dir.resolve("result.json"), e);
    }
  }

  private static SchemeResult.Footprint footprint(List<StageCost> costs, List<Double> latency) {
    Cost total = NetworkCosts.total(costs);
    return new SchemeResult.Footprint(total.params(), total.macs(),
        latency.stream().mapToDouble(Double::doubleValue).sum(), latency);
  }

  /**
   * Measures again, interleaved, the batch-1 latency of a saved result's full and pruned networks (latency does not
   * depend on the trained values, so freshly initialised blocks of the same shapes serve).
   */
  public static SchemeResult remeasureLatency(SchemeResult result, BackboneSpec backbone, int warmups, int passes) {
    try (NDManager manager = NDManager.newBaseManager()) {
      Shape image = new Shape(backbone.inChannels(), backbone.height(), backbone.width());
      StagedNetwork blocks = Backbones.build(backbone);
      AepNetwork full = new AepNetwork(blocks, result.trainedExits());
      full.initialize(manager, DataType.FLOAT32, new Shape(1).addAll(image));
      AepNetwork pruned = new AepNetwork(blocks, result.chosenSubset());
      List<List<Double>> latency = LatencyMeter.interleaved(List.of(full, pruned), image, warmups, passes, manager);
      return result.withFootprints(
          new SchemeResult.Footprint(result.full().params(), result.full().macs(),
              latency.get(0).stream().mapToDouble(Double::doubleValue).sum(), latency.get(0)),
          new SchemeResult.Footprint(result.pruned().params(), result.pruned().macs(),
              latency.get(1).stream().mapToDouble(Double::doubleValue).sum(), latency.get(1)));
    }
  }

  /** Each operating point as calibrated on validation, and what it does on {@code test}. */
  public static List<SchemeResult.Point> points(List<OperatingPoint> points, AnytimeEnsemble test,
      Confidence confidence) {
    List<SchemeResult.Point> out = new ArrayList<>();
    for (OperatingPoint p : points) {
      ExitReport onTest = test.evaluate(p.policy(confidence));
      out.add(new SchemeResult.Point(p.index(), p.budgetPoints(), new SchemeResult.Outcome(p.accuracy(),
          p.fullAccuracy(), p.exitShares(), p.expectedMacs(), onTest.fullMacs(), p.macsSaved()), outcome(onTest)));
    }
    return out;
  }

  public static SchemeResult.Outcome outcome(ExitReport report) {
    return new SchemeResult.Outcome(report.accuracy(), report.fullAccuracy(), report.exitShares(),
        report.expectedMacs(), report.fullMacs(), report.macsSaved());
  }
}
