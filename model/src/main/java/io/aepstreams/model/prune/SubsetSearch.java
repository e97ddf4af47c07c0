package io.aepstreams.model.prune;

import io.aepstreams.model.ensemble.Ensemble;
import io.aepstreams.model.ensemble.ExitWeights;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The paper's pruning: every non-empty subset S of exits is scored by the top-1 accuracy of
 * {@code argmax sum_{i in S} b_i * O_i} (b not renormalised); the best wins. Ties go to the subset whose deepest
 * exit is shallower (less compute), then to the one with fewer heads.
 */
public final class SubsetSearch {
  private SubsetSearch() {}

  /** Every subset's score, best first. {@code weights} has one entry per exit in {@code logits}. */
  public static List<SubsetScore> scoreAll(ExitLogits logits, ExitWeights weights) {
    if (weights.size() != logits.exits().size()) {
      throw new IllegalArgumentException(weights.size() + " weights for " + logits.exits().size() + " exits");
    }
    List<SubsetScore> scores = new ArrayList<>();
    for (ExitSubset subset : ExitSubset.all(logits.exits())) {
      scores.add(new SubsetScore(subset, accuracy(logits, weights, subset)));
    }
    scores.sort(Comparator.comparingDouble(SubsetScore::accuracy).reversed()
        .thenComparingInt(s -> s.subset().deepest())
        .thenComparingInt(s -> s.subset().stages().size()));
    return scores;
  }

  /** The winning subset. */
  public static SubsetScore best(ExitLogits logits, ExitWeights weights) {
    return scoreAll(logits, weights).get(0);
  }

  /** Top-1 accuracy of the b-weighted ensemble of {@code subset}'s exits. */
  public static double accuracy(ExitLogits logits, ExitWeights weights, ExitSubset subset) {
    int[] positions = subset.stages().stream().mapToInt(logits::position).toArray();
    int correct = 0;
    float[] sum = new float[logits.classes()];
    for (int image = 0; image < logits.images(); image++) {
      java.util.Arrays.fill(sum, 0f);
      for (int p : positions) {
        Ensemble.accumulate(sum, logits.logits()[image][p], weights.b().get(p));
      }
      if (Ensemble.argmax(sum) == logits.labels()[image]) {
        correct++;
      }
    }
    return logits.images() == 0 ? 0 : (double) correct / logits.images();
  }
}
