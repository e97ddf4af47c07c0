package io.aepstreams.model.ensemble;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The loss weights a_i and output weights b_i of a network's exits, one per exit, shallowest first. Training
 * minimises {@code sum_i a_i * CE(O_i, y)}; the prediction is {@code argmax sum_i b_i * O_i} over raw logits.
 */
public record ExitWeights(WeightScheme scheme, List<Double> a, List<Double> b) {
  public ExitWeights {
    if (a.size() != b.size() || a.isEmpty()) {
      throw new IllegalArgumentException("a and b need one weight per exit, got " + a.size() + " and " + b.size());
    }
    for (List<Double> weights : List.of(a, b)) {
      for (double w : weights) {
        if (!(w > 0) || Double.isInfinite(w)) {
          throw new IllegalArgumentException("weights must be positive and finite, got " + weights);
        }
      }
    }
    a = List.copyOf(a);
    b = List.copyOf(b);
  }

  /** The weights of {@code scheme} for {@code exits} exits (SINGLE: the one exit left, weight 1). */
  public static ExitWeights of(WeightScheme scheme, int exits) {
    if (exits < 1) {
      throw new IllegalArgumentException("at least one exit");
    }
    List<Double> ramp = ramp(exits);
    List<Double> reversed = new ArrayList<>(ramp);
    Collections.reverse(reversed);
    List<Double> uniform = Collections.nCopies(exits, 1.0 / exits);
    return switch (scheme) {
      case SINGLE -> new ExitWeights(scheme, List.of(1.0), List.of(1.0));
      case UNIF -> new ExitWeights(scheme, uniform, uniform);
      case ASC -> new ExitWeights(scheme, ramp, ramp);
      case DESC -> new ExitWeights(scheme, reversed, reversed);
      case MIX -> new ExitWeights(scheme, reversed, ramp);
      case CUSTOM -> throw new IllegalArgumentException("CUSTOM weights are given with ExitWeights.custom(a, b)");
    };
  }

  /** Weights chosen by the user; they need not sum to 1. */
  public static ExitWeights custom(List<Double> a, List<Double> b) {
    return new ExitWeights(WeightScheme.CUSTOM, a, b);
  }

  /** r_i = i / (n(n+1)/2), rounded half-up to 4 decimals, i = 1..n. */
  static List<Double> ramp(int n) {
    double sum = n * (n + 1) / 2.0;
    List<Double> ramp = new ArrayList<>(n);
    for (int i = 1; i <= n; i++) {
      ramp.add(BigDecimal.valueOf(i / sum).setScale(4, RoundingMode.HALF_UP).doubleValue());
    }
    return ramp;
  }

  public int size() {
    return a.size();
  }

  /** The weights of the exits at {@code positions} (0-based), for a pruned network; b is not renormalised. */
  public ExitWeights select(List<Integer> positions) {
    List<Double> keptA = new ArrayList<>();
    List<Double> keptB = new ArrayList<>();
    for (int p : positions) {
      keptA.add(a.get(p));
      keptB.add(b.get(p));
    }
    return new ExitWeights(scheme, keptA, keptB);
  }
}
