package io.aepstreams.model.policy;

import io.aepstreams.model.ensemble.ExitWeights;
import io.aepstreams.model.prune.ExitLogits;
import io.aepstreams.model.prune.ExitSubset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The pruned model's anytime inference on precomputed logits: after each kept exit, the partial ensemble, its
 * confidence and whether its answer is right. What calibration searches over and what reports are made from.
 */
public final class AnytimeEnsemble {
  final List<Integer> stages;
  /** confidence[image][j], correct[image][j] for the j-th kept exit; the last column is the full ensemble. */
  final double[][] confidence;
  final boolean[][] correct;
  /** answer[image][j]: the class the partial ensemble answers after the j-th kept exit. */
  final int[][] answer;
  /** MACs per image when leaving at the j-th kept exit: stages up to it and the heads run so far. */
  final long[] macsAt;

  /**
   * @param logits validation or test logits of the trained network's exits
   * @param weights the trained network's weights, one per exit in {@code logits}
   * @param subset the kept exits
   * @param macsAt cumulative MACs per image when leaving at each kept exit (same order as the subset)
   */
  public AnytimeEnsemble(ExitLogits logits, ExitWeights weights, ExitSubset subset, Confidence measure, long[] macsAt) {
    this.stages = subset.stages();
    if (macsAt.length != stages.size()) {
      throw new IllegalArgumentException("one MAC count per kept exit");
    }
    this.macsAt = macsAt.clone();
    int n = logits.images();
    confidence = new double[n][stages.size()];
    correct = new boolean[n][stages.size()];
    answer = new int[n][stages.size()];
    for (int image = 0; image < n; image++) {
      PartialEnsemble partial = PartialEnsemble.NONE;
      for (int j = 0; j < stages.size(); j++) {
        int p = logits.position(stages.get(j));
        partial = partial.after(stages.get(j), logits.logits()[image][p], weights.b().get(p));
        confidence[image][j] = partial.confidence(measure);
        answer[image][j] = partial.answer();
        correct[image][j] = answer[image][j] == logits.labels()[image];
      }
    }
  }

  public int images() {
    return correct.length;
  }

  /** Runs {@code thresholds} (one per kept exit but the last; +infinity never exits) over every image. */
  ExitReport evaluate(double[] thresholds) {
    int last = stages.size() - 1;
    int[] leaving = new int[stages.size()];
    int right = 0;
    int fullRight = 0;
    long macs = 0;
    for (int image = 0; image < images(); image++) {
      int j = leavingAt(image, thresholds);
      leaving[j]++;
      macs += macsAt[j];
      right += correct[image][j] ? 1 : 0;
      fullRight += correct[image][last] ? 1 : 0;
    }
    Map<Integer, Double> shares = new LinkedHashMap<>();
    for (int k = 0; k < stages.size(); k++) {
      shares.put(stages.get(k), images() == 0 ? 0 : (double) leaving[k] / images());
    }
    double n = Math.max(1, images());
    return new ExitReport(right / n, fullRight / n, shares, macs / n, macsAt[last]);
  }

  /**
   * Per early exit where images leave under {@code thresholds}: the share of those images whose answer there is the
   * full ensemble's answer.
   */
  Map<Integer, Double> agreement(double[] thresholds) {
    int last = stages.size() - 1;
    int[] leaving = new int[last];
    int[] same = new int[last];
    for (int image = 0; image < images(); image++) {
      int j = leavingAt(image, thresholds);
      if (j < last) {
        leaving[j]++;
        same[j] += answer[image][j] == answer[image][last] ? 1 : 0;
      }
    }
    Map<Integer, Double> agreement = new LinkedHashMap<>();
    for (int j = 0; j < last; j++) {
      if (leaving[j] > 0) {
        agreement.put(stages.get(j), (double) same[j] / leaving[j]);
      }
    }
    return agreement;
  }

  /** The position, among the kept exits, where {@code image} leaves under {@code thresholds}. */
  private int leavingAt(int image, double[] thresholds) {
    int last = stages.size() - 1;
    int j = 0;
    while (!ExitPolicy.leaves(confidence[image][j], j < last ? thresholds[j] : Double.POSITIVE_INFINITY, j == last)) {
      j++;
    }
    return j;
  }

  /** The exit stage each image leaves at under {@code policy}: what the stream answers for it. */
  public int[] exitStages(ExitPolicy policy) {
    double[] thresholds = policy.thresholds(stages.subList(0, stages.size() - 1));
    int[] out = new int[images()];
    for (int image = 0; image < out.length; image++) {
      out[image] = stages.get(leavingAt(image, thresholds));
    }
    return out;
  }

  /** Runs {@code policy} over every image. */
  public ExitReport evaluate(ExitPolicy policy) {
    return evaluate(policy.thresholds(stages.subList(0, stages.size() - 1)));
  }
}
