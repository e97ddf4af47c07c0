package io.aepstreams.model.ensemble;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.training.GradientCollector;
import io.aepstreams.model.training.GarbageChurn;

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

  /**
   * The loss weights sit in the autograd graph until backward. A scalar made from Java memory (DJL's
   * {@code mul(Number)}) is freed by the garbage collector in between, and backward then reads whatever was
   * written there: training that differed run to run and sometimes went NaN. Here the collector runs and the freed
   * memory is reused for NaNs before backward; the gradient must still be exact.
   */
  @Test
  void gradientsSurviveAGarbageCollectionBetweenForwardAndBackward() throws InterruptedException {
    double a1 = 0.7;
    double a2 = 0.3;
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray exit1 = manager.create(new float[] {2f, 0f, -1f, 0.5f, 0.5f, 3f}, new Shape(2, 3));
      NDArray exit2 = manager.create(new float[] {0f, 1f, 0f, 1f, 2f, -2f}, new Shape(2, 3));
      exit1.setRequiresGradient(true);
      exit2.setRequiresGradient(true);
      NDArray loss;
      try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
        loss = new EnsembleLoss(List.of(a1, a2)).evaluate(new NDList(manager.create(LABELS)),
            new NDList(exit1, exit2));
        GarbageChurn.collectAndReuseFreedMemory();
        collector.backward(loss);
      }
      // d/dlogit of a * mean CE = a * (softmax - onehot) / images.
      assertGradient(exit1.getGradient().toFloatArray(), EXIT1, a1);
      assertGradient(exit2.getGradient().toFloatArray(), EXIT2, a2);
    }
  }

  private static void assertGradient(float[] gradient, float[][] logits, double a) {
    for (int image = 0; image < logits.length; image++) {
      float[] p = Ensemble.softmax(logits[image], 1);
      for (int c = 0; c < p.length; c++) {
        double expected = a * (p[c] - (c == LABELS[image] ? 1 : 0)) / logits.length;
        assertEquals(expected, gradient[image * p.length + c], 1e-6, "image " + image + " class " + c);
      }
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
