package io.aepstreams.model.policy;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * When an image leaves early: after kept exit k, if the partial ensemble's {@link Confidence} reaches the
 * threshold t_k. An exit without a threshold never lets images out early; the deepest kept exit always answers.
 * The rule is written once, in {@link #leaves(double, double, boolean)}: the stage processors, offline evaluation
 * and threshold calibration all call it.
 */
public record ExitPolicy(Confidence confidence, Map<Integer, Double> thresholds) {
  public ExitPolicy {
    thresholds = new TreeMap<>(thresholds);
    for (Map.Entry<Integer, Double> t : thresholds.entrySet()) {
      if (t.getValue() == null || t.getValue().isNaN()) {
        throw new IllegalArgumentException("threshold of exit " + t.getKey() + " is not a number");
      }
    }
    thresholds = java.util.Collections.unmodifiableMap(thresholds);
  }

  /** Runs every kept stage for every image: the paper's own inference. */
  public static ExitPolicy off(Confidence confidence) {
    return new ExitPolicy(confidence, Map.of());
  }

  /**
   * The exit rule: an image leaves at the deepest kept exit, or where the confidence of its partial ensemble
   * reaches the exit's threshold (+infinity: never).
   */
  public static boolean leaves(double confidence, double threshold, boolean deepest) {
    return deepest || confidence >= threshold;
  }

  /** Whether an image with partial ensemble {@code partial}, just after kept exit {@code stage}, leaves there. */
  public boolean leaves(int stage, PartialEnsemble partial, boolean deepest) {
    return leaves(partial.confidence(confidence), threshold(stage), deepest);
  }

  /** The threshold of exit {@code stage}; +infinity where it lets no image out early. */
  public double threshold(int stage) {
    return thresholds.getOrDefault(stage, Double.POSITIVE_INFINITY);
  }

  /** The thresholds of {@code stages}, in order, for evaluating many images at once. */
  public double[] thresholds(List<Integer> stages) {
    return stages.stream().mapToDouble(this::threshold).toArray();
  }
}
