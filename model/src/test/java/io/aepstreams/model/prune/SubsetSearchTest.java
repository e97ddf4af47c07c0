package io.aepstreams.model.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.aepstreams.model.ensemble.ExitWeights;
import io.aepstreams.model.ensemble.WeightScheme;
import java.util.List;
import org.junit.jupiter.api.Test;

class SubsetSearchTest {

  /** One-hot-ish logits of {@code value} for {@code predicted} out of 2 classes. */
  private static float[] vote(int predicted, float value) {
    return predicted == 0 ? new float[] {value, 0f} : new float[] {0f, value};
  }

  /**
   * Four exits, four images, all labelled 0. Exits 2 and 4 are right on different images and, together, right on
   * all; exits 1 and 3 are wrong wherever they are loud. Only {2,4} gets every image right.
   */
  private static ExitLogits constructed() {
    float[][][] logits = {
        {vote(1, 5f), vote(0, 3f), vote(1, 1f), vote(1, 1f)},
        {vote(1, 5f), vote(1, 1f), vote(1, 1f), vote(0, 3f)},
        {vote(0, 1f), vote(0, 3f), vote(1, 5f), vote(1, 2f)},
        {vote(0, 1f), vote(1, 2f), vote(1, 5f), vote(0, 3f)},
    };
    return new ExitLogits(List.of(1, 2, 3, 4), logits, new int[] {0, 0, 0, 0});
  }

  @Test
  void everyNonEmptySubsetIsScored() {
    List<SubsetScore> scores = SubsetSearch.scoreAll(constructed(), ExitWeights.of(WeightScheme.UNIF, 4));
    assertEquals(15, scores.size());
    assertEquals(15, scores.stream().map(SubsetScore::subset).distinct().count());
  }

  @Test
  void aSkippingSubsetCanWin() {
    SubsetScore best = SubsetSearch.best(constructed(), ExitWeights.of(WeightScheme.UNIF, 4));
    assertEquals(List.of(2, 4), best.subset().stages());
    assertEquals(4, best.subset().deepest());
    assertEquals(1.0, best.accuracy());
  }

  @Test
  void accuracyWeighsExitsByB() {
    ExitLogits logits = constructed();
    ExitSubset all = new ExitSubset(List.of(1, 2, 3, 4));
    // With equal b the loud wrong exits win every image; with b = (0.01, 1, 0.01, 0.01) exit 2 decides, and it is
    // right on images 0 and 2.
    assertEquals(0.0, SubsetSearch.accuracy(logits, ExitWeights.of(WeightScheme.UNIF, 4), all));
    ExitWeights heavyOnTwo = ExitWeights.custom(List.of(1.0, 1.0, 1.0, 1.0), List.of(0.01, 1.0, 0.01, 0.01));
    assertEquals(0.5, SubsetSearch.accuracy(logits, heavyOnTwo, all));
  }

  @Test
  void tiesGoToTheShallowerCheaperSubset() {
    // Every exit right on every image: all 15 subsets tie at 100%; {1} is the cheapest.
    float[][][] logits = new float[3][4][];
    for (float[][] image : logits) {
      for (int e = 0; e < 4; e++) {
        image[e] = vote(0, 1f);
      }
    }
    ExitLogits easy = new ExitLogits(List.of(1, 2, 3, 4), logits, new int[] {0, 0, 0});
    assertEquals(List.of(1), SubsetSearch.best(easy, ExitWeights.of(WeightScheme.MIX, 4)).subset().stages());
  }

  @Test
  void subsetsAreEnumeratedByMask() {
    assertEquals(List.of(new ExitSubset(List.of(2)), new ExitSubset(List.of(4)), new ExitSubset(List.of(2, 4))),
        ExitSubset.all(List.of(2, 4)));
    assertEquals("{2,4}", new ExitSubset(List.of(2, 4)).toString());
  }
}
