package io.aepstreams.model.policy;

import io.aepstreams.model.ensemble.Ensemble;

/**
 * How sure the partial ensemble is, from its scores normalised by the sum of b so far; always in [0, 1], higher is
 * surer, so one threshold rule serves all three.
 */
public enum Confidence {
  /** The largest softmax probability. */
  MAX_SOFTMAX,
  /** The largest softmax probability minus the second largest. */
  MARGIN,
  /** 1 - entropy / log(classes): 1 for a one-hot distribution, 0 for a uniform one. */
  ENTROPY;

  /** Confidence of the partial ensemble {@code scores} whose b weights sum to {@code bSum}. */
  public double of(float[] scores, double bSum) {
    return of(Ensemble.softmax(scores, bSum));
  }

  /** Confidence of a probability distribution. */
  public double of(float[] probabilities) {
    switch (this) {
      case MAX_SOFTMAX -> {
        float best = 0;
        for (float p : probabilities) {
          best = Math.max(best, p);
        }
        return best;
      }
      case MARGIN -> {
        float first = 0;
        float second = 0;
        for (float p : probabilities) {
          if (p > first) {
            second = first;
            first = p;
          } else if (p > second) {
            second = p;
          }
        }
        return first - second;
      }
      case ENTROPY -> {
        double entropy = 0;
        for (float p : probabilities) {
          if (p > 0) {
            entropy -= p * Math.log(p);
          }
        }
        return 1 - entropy / Math.log(probabilities.length);
      }
      default -> throw new IllegalStateException(name());
    }
  }
}
