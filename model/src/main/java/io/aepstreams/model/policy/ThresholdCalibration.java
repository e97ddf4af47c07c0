package io.aepstreams.model.policy;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * Finds the exit thresholds with the lowest expected MACs whose accuracy stays within a given number of points of
 * the full ensemble's, on the calibration (validation) images. Candidates per exit are quantiles of that exit's
 * confidences plus "never"; every combination is tried, so the answer is the best on this grid, not a local one.
 */
public final class ThresholdCalibration {
  /** Quantiles per exit; with 4 kept exits that is (QUANTILES + 1)^3 combinations. */
  static final int QUANTILES = 40;

  private ThresholdCalibration() {}

  /** The result: the policy and what it does on the calibration images. */
  public record Result(ExitPolicy policy, ExitReport report) {}

  public static Result calibrate(AnytimeEnsemble ensemble, Confidence measure, double maxAccuracyDropPoints) {
    if (!(maxAccuracyDropPoints >= 0)) {
      throw new IllegalArgumentException("the accuracy drop must be zero or more points, got " + maxAccuracyDropPoints);
    }
    int early = ensemble.stages.size() - 1;
    double[][] candidates = new double[early][];
    for (int j = 0; j < early; j++) {
      candidates[j] = candidates(ensemble, j);
    }
    double[] thresholds = new double[early];
    Arrays.fill(thresholds, Double.POSITIVE_INFINITY);
    ExitReport best = ensemble.evaluate(thresholds);
    double[] bestThresholds = thresholds.clone();
    double floor = best.fullAccuracy() - maxAccuracyDropPoints / 100.0 - 1e-12;
    int[] index = new int[early];
    long combinations = 1;
    for (double[] c : candidates) {
      combinations *= c.length;
    }
    for (long combo = 0; combo < combinations; combo++) {
      long rest = combo;
      for (int j = 0; j < early; j++) {
        index[j] = (int) (rest % candidates[j].length);
        rest /= candidates[j].length;
        thresholds[j] = candidates[j][index[j]];
      }
      ExitReport report = ensemble.evaluate(thresholds);
      if (report.accuracy() >= floor && (report.expectedMacs() < best.expectedMacs()
          || report.expectedMacs() == best.expectedMacs() && report.accuracy() > best.accuracy())) {
        best = report;
        bestThresholds = thresholds.clone();
      }
    }
    Map<Integer, Double> policy = new LinkedHashMap<>();
    for (int j = 0; j < early; j++) {
      if (bestThresholds[j] != Double.POSITIVE_INFINITY) {
        policy.put(ensemble.stages.get(j), bestThresholds[j]);
      }
    }
    return new Result(new ExitPolicy(measure, policy), best);
  }

  /** Quantiles of exit j's confidences, and +infinity ("never exit here"). */
  private static double[] candidates(AnytimeEnsemble ensemble, int j) {
    double[] values = new double[ensemble.images()];
    for (int image = 0; image < values.length; image++) {
      values[image] = ensemble.confidence[image][j];
    }
    Arrays.sort(values);
    TreeSet<Double> grid = new TreeSet<>();
    for (int q = 0; q < QUANTILES && values.length > 0; q++) {
      // upper quantiles matter most: spread the grid over the top of the distribution
      double quantile = 1 - Math.pow(1 - (double) q / QUANTILES, 2);
      grid.add(values[(int) Math.min(values.length - 1, Math.floor(quantile * values.length))]);
    }
    grid.add(Double.POSITIVE_INFINITY);
    return grid.stream().mapToDouble(Double::doubleValue).toArray();
  }
}
