package io.aepstreams.model.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aepstreams.model.ensemble.ExitWeights;
import io.aepstreams.model.prune.ExitLogits;
import io.aepstreams.model.prune.ExitSubset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ThresholdCalibrationTest {

  /**
   * 100 images, 2 classes, exits 2 and 4 kept. On the first 60 images exit 2 is confident and right; on the other
   * 40 it is unsure, and right only on half of them; exit 4 is always right.
   */
  private static ExitLogits logits() {
    int n = 100;
    float[][][] logits = new float[n][2][];
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      labels[i] = i % 2;
      int label = labels[i];
      boolean easy = i < 60;
      float[] early = new float[2];
      if (easy) {
        early[label] = 8f;
      } else {
        early[(i / 2) % 2 == 0 ? label : 1 - label] = 0.2f;
      }
      float[] late = new float[2];
      late[label] = 6f;
      logits[i][0] = early;
      logits[i][1] = late;
    }
    return new ExitLogits(List.of(2, 4), logits, labels);
  }

  private static AnytimeEnsemble ensemble() {
    return new AnytimeEnsemble(logits(), ExitWeights.custom(List.of(0.5, 0.5), List.of(0.5, 0.5)),
        new ExitSubset(List.of(2, 4)), Confidence.MAX_SOFTMAX, new long[] {100, 1000});
  }

  @Test
  void confidentImagesLeaveEarlyAndAccuracyHolds() {
    ThresholdCalibration.Result result = ThresholdCalibration.calibrate(ensemble(), Confidence.MAX_SOFTMAX, 0.5);
    ExitReport report = result.report();
    assertEquals(1.0, report.fullAccuracy());
    assertEquals(1.0, report.accuracy(), "the unsure images must not leave at exit 2");
    assertEquals(Map.of(2, 0.6, 4, 0.4), report.exitShares());
    assertEquals(0.6 * 100 + 0.4 * 1000, report.expectedMacs(), 1e-9);
    assertEquals(1000, report.fullMacs());
    assertEquals(1 - 460.0 / 1000, report.macsSaved(), 1e-9);
    assertTrue(result.policy().thresholds().containsKey(2));
  }

  @Test
  void aLooserTargetLetsMoreImagesOut() {
    // 20 of the 40 unsure images are right at exit 2 anyway: letting all out costs 20 points.
    ExitReport loose = ThresholdCalibration.calibrate(ensemble(), Confidence.MAX_SOFTMAX, 20).report();
    assertEquals(Map.of(2, 1.0, 4, 0.0), loose.exitShares());
    assertEquals(0.8, loose.accuracy(), 1e-9);
  }

  @Test
  void theLadderGetsCheaperAsItsBudgetGrowsAndKeepsEachBudget() {
    ThresholdCalibration.Result result = ThresholdCalibration.calibrate(ensemble(), Confidence.MAX_SOFTMAX, 0.5,
        new double[] {0, 5, 10, 20});
    List<OperatingPoint> points = result.points();
    assertEquals(List.of(0.0, 0.5, 5.0, 10.0, 20.0), points.stream().map(OperatingPoint::budgetPoints).toList());
    for (int i = 0; i < points.size(); i++) {
      OperatingPoint p = points.get(i);
      assertEquals(i, p.index());
      assertTrue(p.accuracyDropPoints() <= p.budgetPoints() + 1e-9, p.toString());
      if (i > 0) {
        assertTrue(p.expectedMacs() <= points.get(i - 1).expectedMacs(), "MACs rose from point " + (i - 1));
      }
      // what each point reports is what its thresholds do
      ExitReport replay = ensemble().evaluate(p.policy(Confidence.MAX_SOFTMAX));
      assertEquals(replay.accuracy(), p.accuracy(), 1e-12);
      assertEquals(replay.exitShares(), p.exitShares());
    }
    assertTrue(points.get(1).hasThresholds(result.policy()), "the asked-for budget's point is the policy");
    // the unsure images share one confidence: they leave together, at a cost of 20 points, or not at all
    assertEquals(Map.of(2, 0.6, 4, 0.4), points.get(3).exitShares());
    // 20 points lets every image out at exit 2; 20 of the 100 answers there differ from exit 4's
    assertEquals(Map.of(2, 0.8), points.get(4).agreement());
    assertEquals(Map.of(2, 1.0), points.get(0).agreement(), "the easy images agree with the full ensemble");
  }

  @Test
  void aNegativeBudgetIsRefused() {
    assertThrows(IllegalArgumentException.class,
        () -> ThresholdCalibration.calibrate(ensemble(), Confidence.MAX_SOFTMAX, 0.5, new double[] {-1}));
  }

  @Test
  void policyOffRunsEveryStage() {
    ExitReport off = ensemble().evaluate(ExitPolicy.off(Confidence.MAX_SOFTMAX));
    assertEquals(Map.of(2, 0.0, 4, 1.0), off.exitShares());
    assertEquals(0.0, off.macsSaved());
  }

  @Test
  void confidenceMeasuresAreInZeroOne() {
    float[] sure = {1f, 0f, 0f};
    float[] unsure = {1f / 3, 1f / 3, 1f / 3};
    for (Confidence c : Confidence.values()) {
      assertEquals(1.0, c.of(sure), 1e-6, c.name());
      assertEquals(c == Confidence.MAX_SOFTMAX ? 1.0 / 3 : 0.0, c.of(unsure), 1e-6, c.name());
    }
    assertEquals(0.5, Confidence.MARGIN.of(new float[] {0.7f, 0.2f, 0.1f}), 1e-6);
  }
}
