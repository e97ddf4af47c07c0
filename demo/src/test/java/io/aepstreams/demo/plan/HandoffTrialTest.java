package io.aepstreams.demo.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import io.aepstreams.model.bundle.StagedModel;
import io.aepstreams.model.data.ImageSet;
import io.aepstreams.model.training.TinyData;
import io.aepstreams.streams.handoff.HandoffEncoding;
import io.aepstreams.streams.topology.TinyBundle;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agreement of each hand-off encoding with float32 on a small trained model, pinned: a change to an encoding
 * (or to the way the trial measures it) that moves any decision shows here.
 */
class HandoffTrialTest {
  @TempDir static Path dir;
  static TinyBundle bundle;
  static HandoffTrial.Result result;
  static final ImageSet IMAGES = TinyData.images(400, 11);

  @BeforeAll
  static void trial() {
    bundle = TinyBundle.write(dir.resolve("tiny"));
    try (NDManager manager = NDManager.newBaseManager();
        StagedModel model = StagedModel.all(bundle.open(), manager)) {
      result = HandoffTrial.run(model, manager, IMAGES, bundle.manifest.policy(), 32, 50, done -> { });
    }
  }

  @Test
  void float32HandOffsChangeNoDecisionAtAnySplit() {
    for (int split = 1; split <= 3; split++) {
      HandoffTrial.Agreement a = result.agreement(split, HandoffEncoding.FLOAT32);
      assertEquals(400, a.images());
      assertEquals(400, a.sameDecisions(), "split " + split + ": the trial's own harness must be exact");
      assertEquals(0, a.accuracyDeltaPoints(), 0.0);
    }
  }

  @Test
  void theAgreementOfEachEncodingIsPinned() {
    Map<HandoffEncoding, List<Integer>> changed = Map.of(HandoffEncoding.FLOAT16, List.of(0, 0, 0),
        HandoffEncoding.INT8, List.of(0, 0, 0));
    changed.forEach((encoding, perSplit) -> {
      for (int split = 1; split <= 3; split++) {
        HandoffTrial.Agreement a = result.agreement(split, encoding);
        assertEquals(perSplit.get(split - 1), a.images() - a.sameDecisions(), encoding + " after stage " + split);
        assertTrue(a.keepsDecisions(), encoding + " after stage " + split);
        assertEquals(a.images() - a.sameDecisions() == 0, a.accuracyDeltaPoints() == 0);
      }
    });
  }

  @Test
  void theImagesCrossingAreThoseTheExitsLeave() {
    double leftAtOne = result.exitShares().getOrDefault(1, 0.0);
    assertTrue(leftAtOne > 0.2 && leftAtOne < 0.8, "the tiny bundle's threshold lets about half out: " + leftAtOne);
    for (HandoffEncoding encoding : HandoffEncoding.values()) {
      assertEquals(Math.round(400 * (1 - leftAtOne)), result.agreement(1, encoding).crossing());
      HandoffTrial.Size size = result.size(1, encoding);
      assertEquals(50, size.records(), "the sample");
      assertTrue(size.wireBytes().get("zstd") < size.wireBytes().get("none"), encoding + " compresses");
    }
    assertTrue(result.size(1, HandoffEncoding.INT8).recordBytes()
        < result.size(1, HandoffEncoding.FLOAT16).recordBytes());
  }

  @Test
  void recordBatchesAreClosedAtTheProducersBatchSize() {
    byte[] value = new byte[6000];
    List<org.apache.kafka.common.record.internal.SimpleRecord> records = List.of(
        new org.apache.kafka.common.record.internal.SimpleRecord(0L, new byte[4], value),
        new org.apache.kafka.common.record.internal.SimpleRecord(0L, new byte[4], value),
        new org.apache.kafka.common.record.internal.SimpleRecord(0L, new byte[4], value));
    long none = HandoffTrial.wireBytes(records, "none");
    // two batches (12 KB, then 6 KB): two batch headers of 61 bytes, each record a few bytes more
    assertTrue(none > 18_012 + 2 * 61 && none < 18_012 + 2 * 61 + 3 * 16, "bytes: " + none);
    assertTrue(HandoffTrial.wireBytes(records, "zstd") < 200, "zeros compress to almost nothing");
  }
}
