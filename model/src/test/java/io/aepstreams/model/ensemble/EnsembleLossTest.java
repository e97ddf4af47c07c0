package io.aepstreams.model.ensemble;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.junit.jupiter.api.Test;

class EnsembleLossTest {
  // Two exits, two images, three classes.
  private static final float[][] EXIT1 = {{2f, 0f, -1f}, {0.5f, 0.5f, 3f}};
  private static final float[][] EXIT2 = {{0f, 1f, 0f}, {1f, 2f, -2f}};
  private static final int[] LABELS = {0, 2};

  private static double crossEntropy(float[] logits, int label) {
    double max = Double.NEGATIVE_INFINITY;
    for (float l : logits) {
      max = Math.max(max, l);
    }
    double sum = 0;
    for (float l : logits) {
      sum += Math.exp(l - max);
    }
    return -(logits[label] - max - Math.log(sum));
  }

  @Test
  void lossIsTheAWeightedSumOfEachExitsCrossEntropy() {
    double a1 = 0.7;
    double a2 = 0.3;
    double expected = 0;
    for (int i = 0; i < 2; i++) {
      expected += (a1 * crossEntropy(EXIT1[i], LABELS[i]) + a2 * crossEntropy(EXIT2[i], LABELS[i])) / 2;
    }
    try (NDManager manager = NDManager.newBaseManager()) {
      NDList predictions = new NDList(
          manager.create(new float[] {2f, 0f, -1f, 0.5f, 0.5f, 3f}, new Shape(2, 3)),
          manager.create(new float[] {0f, 1f, 0f, 1f, 2f, -2f}, new Shape(2, 3)));
      NDList labels = new NDList(manager.create(LABELS));
      float loss = new EnsembleLoss(List.of(a1, a2)).evaluate(labels, predictions).getFloat();
      assertEquals(expected, loss, 1e-5);
    }
  }

  @Test
  void predictionSumsRawLogitsNotProbabilities() {
    // Exit 1 is sure of class 0 by a wide logit margin; exit 2 mildly prefers class 1 with b twice as large.
    // Raw logits: 1*[10, 0] + 2*[0, 3] = [10, 6] -> class 0. Averaging softmax would pick class 1:
    // 1*[~1, ~0] + 2*[0.047, 0.953] = [1.09, 1.91].
    float[] sum = new float[2];
    Ensemble.accumulate(sum, new float[] {10f, 0f}, 1.0);
    Ensemble.accumulate(sum, new float[] {0f, 3f}, 2.0);
    assertArrayEquals(new float[] {10f, 6f}, sum);
    assertEquals(0, Ensemble.argmax(sum));
  }

  @Test
  void softmaxOfThePartialEnsembleDividesByTheSumOfB() {
    float[] p = Ensemble.softmax(new float[] {2f, 0f}, 2.0); // softmax([1, 0])
    assertEquals(Math.exp(1) / (Math.exp(1) + 1), p[0], 1e-6);
    assertEquals(1.0, p[0] + p[1], 1e-6);
  }
}
