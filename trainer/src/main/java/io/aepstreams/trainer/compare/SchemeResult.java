package io.aepstreams.trainer.compare;

import io.aepstreams.model.training.EpochStats;
import java.util.List;
import java.util.Map;

/** Everything the comparison measured for one weight scheme; saved as JSON so the report can be rebuilt. */
public record SchemeResult(
    String scheme,
    List<Double> a,
    List<Double> b,
    int epochsRun,
    int bestEpoch,
    double trainSeconds,
    List<EpochStats> history,
    List<Integer> trainedExits,
    List<Double> validationExitAccuracies,
    List<Double> testExitAccuracies,
    double validationEnsembleAccuracy,
    double testEnsembleAccuracy,
    List<SubsetResult> subsets,
    List<Integer> chosenSubset,
    double prunedValidationAccuracy,
    double prunedTestAccuracy,
    Footprint full,
    Footprint pruned,
    Calibration calibration,
    String bundle) {

  public SchemeResult withFootprints(Footprint newFull, Footprint newPruned) {
    return new SchemeResult(scheme, a, b, epochsRun, bestEpoch, trainSeconds, history, trainedExits,
        validationExitAccuracies, testExitAccuracies, validationEnsembleAccuracy, testEnsembleAccuracy, subsets,
        chosenSubset, prunedValidationAccuracy, prunedTestAccuracy, newFull, newPruned, calibration, bundle);
  }

  /** One exit subset: its accuracy on both splits and its cost per image. */
  public record SubsetResult(List<Integer> exits, double validationAccuracy, double testAccuracy, long params,
      long macs) {}

  /** Parameters, MACs per image and batch-1 latency of a network. */
  public record Footprint(long params, long macs, double latencyMs, List<Double> stageLatencyMs) {}

  /** The calibrated exit policy of the pruned network and what it does on each split. */
  public record Calibration(String confidence, double maxAccuracyDropPoints, Map<Integer, Double> thresholds,
      Outcome validation, Outcome test, List<Point> points) {
    public Calibration {
      points = points == null ? List.of() : List.copyOf(points);
    }
  }

  /** One operating point of the bundle's ladder, on validation (where it was chosen) and on test. */
  public record Point(int index, double budgetPoints, Outcome validation, Outcome test) {}

  /** Accuracy with early exits against the full ensemble, where images leave, and the compute they use. */
  public record Outcome(double accuracy, double fullAccuracy, Map<Integer, Double> exitShares, double expectedMacs,
      long fullMacs, double macsSaved) {}
}
