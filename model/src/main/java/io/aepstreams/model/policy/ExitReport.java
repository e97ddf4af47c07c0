package io.aepstreams.model.policy;

import java.util.Map;

/**
 * What a policy does on a set of images: its accuracy, the full ensemble's accuracy on the same images, the share
 * of images leaving at each kept exit, and the expected MACs per image against running every kept stage.
 */
public record ExitReport(
    double accuracy,
    double fullAccuracy,
    Map<Integer, Double> exitShares,
    double expectedMacs,
    long fullMacs) {

  /** Accuracy lost against the full ensemble, in percentage points. */
  public double accuracyDropPoints() {
    return (fullAccuracy - accuracy) * 100;
  }

  /** Share of the full network's MACs saved, 0..1. */
  public double macsSaved() {
    return fullMacs == 0 ? 0 : 1 - expectedMacs / fullMacs;
  }
}
