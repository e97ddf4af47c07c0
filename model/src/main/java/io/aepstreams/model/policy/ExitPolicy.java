package io.aepstreams.model.policy;

import java.util.Map;
import java.util.TreeMap;

/**
 * When an image leaves early: after kept exit k, if the partial ensemble's {@link Confidence} reaches the
 * threshold t_k. An exit without a threshold never lets images out early; the deepest kept exit always answers.
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

  /** Whether an image whose partial ensemble has confidence {@code value} leaves at {@code stage}. */
  public boolean exits(int stage, double value) {
    Double threshold = thresholds.get(stage);
    return threshold != null && value >= threshold;
  }
}
