package io.aepstreams.demo.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aepstreams.model.backbone.BackboneSpec;
import io.aepstreams.model.bundle.Manifest;
import io.aepstreams.model.data.InputSpec;
import io.aepstreams.model.ensemble.WeightScheme;
import io.aepstreams.model.policy.Confidence;
import io.aepstreams.model.policy.ExitPolicy;
import io.aepstreams.streams.handoff.HandoffEncoding;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The planner's arithmetic on figures chosen so that each cost can be worked out by hand. */
class SplitPlanTest {
  /** Three stages of 10, 20 and 30 M MACs, exits after 1 and 3; half the images leave at exit 1. */
  private static Manifest manifest() {
    List<Manifest.Stage> stages = List.of(
        new Manifest.Stage(1, "s1", List.of(1L, 8L, 8L), List.of(4L, 4L, 4L), 100, 10_000_000),
        new Manifest.Stage(2, "s2", List.of(4L, 4L, 4L), List.of(8L, 2L, 2L), 200, 20_000_000),
        new Manifest.Stage(3, "s3", List.of(8L, 2L, 2L), List.of(8L, 1L, 1L), 300, 30_000_000));
    return new Manifest(1, "m", "v", List.of("a", "b"), new InputSpec(1, 8, 8, new float[1], new float[] {1},
        "bilinear"), new BackboneSpec("vgg-mini", 1, 8, 8, 2, 1), WeightScheme.MIX, stages,
        List.of(new Manifest.Exit(1, "e1", 1, 1, 0, 0), new Manifest.Exit(3, "e3", 1, 1, 0, 0)),
        new ExitPolicy(Confidence.MAX_SOFTMAX, Map.of(1, 0.9)), List.of(), Map.of("calibration", Map.of("validation",
            Map.of("exitShares", Map.of("1", 0.5, "3", 0.5)))));
  }

  private static HandoffTrial.Result trial(boolean int8KeepsDecisions) {
    List<HandoffTrial.Agreement> agreements = new ArrayList<>();
    List<HandoffTrial.Size> sizes = new ArrayList<>();
    for (int split = 1; split <= 2; split++) {
      for (HandoffEncoding e : HandoffEncoding.values()) {
        int changed = e == HandoffEncoding.INT8 && !int8KeepsDecisions ? 5 : 0;
        agreements.add(new HandoffTrial.Agreement(split, e.setting(), 1000, 500, 1000 - changed, 1000 - changed,
            1000, 900 - changed, 900));
        double bytes = split == 1 ? 4000 : 1000;
        double factor = switch (e) {
          case FLOAT32 -> 1;
          case FLOAT16 -> 0.5;
          case INT8 -> 0.25;
        };
        sizes.add(new HandoffTrial.Size(split, e.setting(), 100, bytes * factor, Map.of("none", bytes * factor,
            "lz4", bytes * factor, "zstd", bytes * factor / 2), Map.of(), 0.01, 0.01));
      }
    }
    return new HandoffTrial.Result(1000, Map.of(1, 0.5, 3, 0.5), 0.9, agreements, sizes);
  }

  private static final List<StageTimes.Row> TIMES = List.of(new StageTimes.Row(1, 2, 32, 1),
      new StageTimes.Row(2, 4, 32, 2), new StageTimes.Row(3, 6, 32, 3));

  @Test
  void costsPerImageEnteringWeighTheStagesByTheShareReachingThem() {
    Manifest manifest = manifest();
    SplitPlan.Plan plan = SplitPlan.plan(manifest, SplitPlan.calibratedExitShares(manifest), "calibration",
        TIMES, trial(true), 64, new SplitPlan.Link(8, 10, 5, "none"));
    assertEquals(List.of(1.0, 0.5, 0.5), plan.stages().stream().map(SplitPlan.StageRow::reach).toList());
    SplitPlan.Candidate afterOneInt8 = plan.candidates().stream().filter(c -> c.split() == 1
        && c.encoding().equals("int8")).findFirst().orElseThrow();
    // edge: stage 1 at batch 32 (1 ms) for every image, encoding (0.01 ms) for the half going on
    assertEquals(1 + 0.5 * 0.01, afterOneInt8.edgeMillis(), 1e-9);
    // half the images send 1,000 bytes
    assertEquals(500, afterOneInt8.bytesPerImage(), 1e-9);
    // deep: stages 2 and 3 for half the images at a tenth of the time, plus decoding
    assertEquals(0.5 * (2 + 3) / 10 + 0.5 * 0.01, afterOneInt8.deepMillis(), 1e-9);
    assertEquals(25_000_000, afterOneInt8.deepMacs());
    // end to end at batch 1: 2 ms, then for half: 0.02 ms coding and a 5 ms hop, 500 bytes over 8 Mbit/s (0.5 ms),
    // and the deep stages at a tenth
    assertEquals(2 + 0.5 * (0.02 + 5) + 0.5 + 0.5 * (4 + 6) / 10, afterOneInt8.endToEndMillis(), 1e-9);
    assertEquals(64, plan.allDeep().bytesPerImage());
    assertEquals(0, plan.allEdge().bytesPerImage());
    assertEquals(2 + 0.5 * 4 + 0.5 * 6, plan.allEdge().endToEndMillis(), 1e-9);
  }

  @Test
  void theRankingsLeaveOutEncodingsThatChangeDecisionsAndTheCompressionCounts() {
    Manifest manifest = manifest();
    SplitPlan.Plan keeps = SplitPlan.plan(manifest, SplitPlan.calibratedExitShares(manifest), "calibration",
        TIMES, trial(true), 64, new SplitPlan.Link(8, 10, 5, "zstd"));
    SplitPlan.Candidate fewest = keeps.ranked(SplitPlan.BY_BYTES).get(0);
    assertEquals(2, fewest.split());
    assertEquals("int8", fewest.encoding());
    assertEquals(0.5 * 250 / 2, fewest.bytesPerImage(), 1e-9, "zstd halves the wire bytes here");
    assertEquals(6, keeps.ranked(SplitPlan.BY_EDGE).size(), "two splits, three encodings; no split is not ranked");

    SplitPlan.Plan changes = SplitPlan.plan(manifest, SplitPlan.calibratedExitShares(manifest), "calibration",
        TIMES, trial(false), 64, new SplitPlan.Link(8, 10, 5, "zstd"));
    assertEquals(4, changes.ranked(SplitPlan.BY_EDGE).size());
    assertFalse(changes.ranked(SplitPlan.BY_BYTES).stream().anyMatch(c -> c.encoding().equals("int8")));
    assertEquals("float16", changes.chosen().encoding());
    assertTrue(changes.candidates().stream().filter(c -> c.encoding().equals("int8")).noneMatch(
        SplitPlan.Candidate::keeps));
  }

  @Test
  void theDefaultIsTheSmallestEncodingThatKeepsTheDecisionsEverywhere() {
    Manifest manifest = manifest();
    PlanReport.Report keeps = report(manifest, trial(true));
    PlanReport.Report changes = report(manifest, trial(false));
    assertEquals(HandoffEncoding.INT8, AgreementTable.smallestKeepingDecisions(List.of(keeps)).orElseThrow());
    assertEquals(HandoffEncoding.FLOAT16, AgreementTable.smallestKeepingDecisions(List.of(keeps, changes))
        .orElseThrow());
    assertTrue(AgreementTable.markdown(List.of(keeps, changes)).contains("**float16**"));
  }

  private static PlanReport.Report report(Manifest manifest, HandoffTrial.Result trial) {
    SplitPlan.Plan plan = SplitPlan.plan(manifest, SplitPlan.calibratedExitShares(manifest), "calibration", TIMES,
        trial, 64, new SplitPlan.Link(8, 10, 5, "zstd"));
    return new PlanReport.Report("m", "v", "machine", "cmd", 1000, 0.9, 32, plan, trial.agreements(), trial.sizes(),
        plan.chosen());
  }
}
