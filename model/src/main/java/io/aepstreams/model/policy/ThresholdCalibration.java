package io.aepstreams.model.policy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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

  /**
   * The result: the policy for the budget asked for, what it does on the calibration images, and the ladder of
   * operating points it is one of.
   */
  public record Result(ExitPolicy policy, ExitReport report, List<OperatingPoint> points) {}

  public static Result calibrate(AnytimeEnsemble ensemble, Confidence measure, double maxAccuracyDropPoints) {
    return calibrate(ensemble, measure, maxAccuracyDropPoints, new double[0]);
  }

  /**
   * Calibrates for {@code maxAccuracyDropPoints} and, in the same pass over the grid, makes an operating point for
   * it and for each of {@code budgets}: a bigger budget's candidates include a smaller one's, so the ladder's MACs
   * never rise as its budget grows.
   */
  public static Result calibrate(AnytimeEnsemble ensemble, Confidence measure, double maxAccuracyDropPoints,
      double[] budgets) {
    TreeSet<Double> all = new TreeSet<>();
    for (double budget : budgets) {
      all.add(checked(budget));
    }
    all.add(checked(maxAccuracyDropPoints));
    double[] ladder = all.stream().mapToDouble(Double::doubleValue).toArray();
    int early = ensemble.stages.size() - 1;
    double[][] candidates = new double[early][];
    for (int j = 0; j < early; j++) {
      candidates[j] = candidates(ensemble, j);
    }
    double[] thresholds = new double[early];
    Arrays.fill(thresholds, Double.POSITIVE_INFINITY);
    ExitReport never = ensemble.evaluate(thresholds);
    ExitReport[] best = new ExitReport[ladder.length];
    double[][] bestThresholds = new double[ladder.length][];
    double[] floor = new double[ladder.length];
    for (int b = 0; b < ladder.length; b++) {
      best[b] = never;
      bestThresholds[b] = thresholds.clone();
      floor[b] = never.fullAccuracy() - ladder[b] / 100.0 - 1e-12;
    }
    long combinations = 1;
    for (double[] c : candidates) {
      combinations *= c.length;
    }
    for (long combo = 0; combo < combinations; combo++) {
      long rest = combo;
      for (int j = 0; j < early; j++) {
        thresholds[j] = candidates[j][(int) (rest % candidates[j].length)];
        rest /= candidates[j].length;
      }
      ExitReport report = ensemble.evaluate(thresholds);
      for (int b = 0; b < ladder.length; b++) {
        if (report.accuracy() >= floor[b] && (report.expectedMacs() < best[b].expectedMacs()
            || report.expectedMacs() == best[b].expectedMacs() && report.accuracy() > best[b].accuracy())) {
          best[b] = report;
          bestThresholds[b] = thresholds.clone();
        }
      }
    }
    List<OperatingPoint> points = new ArrayList<>();
    int asked = Arrays.binarySearch(ladder, maxAccuracyDropPoints);
    for (int b = 0; b < ladder.length; b++) {
      Map<Integer, Double> chosen = new LinkedHashMap<>();
      for (int j = 0; j < early; j++) {
        if (bestThresholds[b][j] != Double.POSITIVE_INFINITY) {
          chosen.put(ensemble.stages.get(j), bestThresholds[b][j]);
        }
      }
      ExitReport r = best[b];
      points.add(new OperatingPoint(b, ladder[b], chosen, r.expectedMacs(), r.macsSaved(), r.accuracy(),
          r.fullAccuracy(), r.exitShares(), ensemble.agreement(bestThresholds[b])));
    }
    return new Result(points.get(asked).policy(measure), best[asked], List.copyOf(points));
  }

  private static double checked(double budget) {
    if (!(budget >= 0) || Double.isInfinite(budget)) {
      throw new IllegalArgumentException("an accuracy budget must be zero or more points, got " + budget);
    }
    return budget;
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
