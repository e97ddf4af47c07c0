package io.aepstreams.model.policy;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * One point of a model's accuracy/compute trade-off, calibrated on validation: the cheapest thresholds whose
 * accuracy stays within {@code budgetPoints} of the full ensemble's, and what they did there. A bundle carries a
 * ladder of them, cheapest last; a running deployment moves along it without a restart.
 *
 * @param index the point's place in the bundle's ladder (0: the smallest budget)
 * @param budgetPoints the accuracy it was allowed to lose against the full ensemble, in percentage points
 * @param thresholds per early exit (stage number), as in {@link ExitPolicy}; an exit not named lets no image out
 * @param expectedMacs MACs per image on validation
 * @param accuracy on validation
 * @param exitShares share of validation images leaving at each kept exit
 * @param agreement per early exit where images left: the share of them whose early answer is the full ensemble's.
 *     What a label-free audit of the stream compares itself with.
 */
public record OperatingPoint(int index, double budgetPoints, Map<Integer, Double> thresholds, double expectedMacs,
    double macsSaved, double accuracy, double fullAccuracy, Map<Integer, Double> exitShares,
    Map<Integer, Double> agreement) {

  /** The budgets {@code calibrate} makes points for unless told otherwise, in points of accuracy. */
  public static final double[] DEFAULT_BUDGETS = {0, 0.25, 0.5, 1, 2, 3};

  public OperatingPoint {
    thresholds = Collections.unmodifiableMap(new TreeMap<>(thresholds));
    exitShares = Collections.unmodifiableMap(new TreeMap<>(exitShares));
    agreement = agreement == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(agreement));
  }

  /** The exit policy of this point, with the bundle's confidence measure. */
  public ExitPolicy policy(Confidence confidence) {
    return new ExitPolicy(confidence, thresholds);
  }

  /** Accuracy lost against the full ensemble on validation, in percentage points. */
  public double accuracyDropPoints() {
    return (fullAccuracy - accuracy) * 100;
  }

  /** Whether {@code policy} has exactly this point's thresholds. */
  public boolean hasThresholds(ExitPolicy policy) {
    return thresholds.equals(policy.thresholds());
  }
}
