package io.aepstreams.demo.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import io.aepstreams.model.bundle.Manifest;
import io.aepstreams.model.bundle.ModelParts;
import io.aepstreams.model.bundle.StagedModel;
import io.aepstreams.model.policy.AnytimeEnsemble;
import io.aepstreams.model.policy.ExitPolicy;
import io.aepstreams.model.policy.ExitReport;
import io.aepstreams.model.prune.ExitLogits;
import io.aepstreams.model.prune.ExitSubset;
import io.aepstreams.model.training.ExitEvaluation;
import io.aepstreams.streams.topology.TinyBundle;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The benchmark's model loop answers what offline evaluation answers, at every batch size. */
class ModelLoopTest {
  @TempDir Path dir;

  /** What offline evaluation of the tiny bundle's images answers under {@code policy}. */
  private static ExitReport offline(TinyBundle bundle, NDManager manager, ExitPolicy policy) {
    Manifest manifest = bundle.manifest;
    ModelParts parts = bundle.open().loadNetwork(manager);
    ExitLogits logits = ExitEvaluation.logits(parts.network(), parts.input(), TinyBundle.IMAGES, manager);
    long[] macsAt = manifest.exitStages().stream().mapToLong(manifest::macsUpTo).toArray();
    return new AnytimeEnsemble(logits, parts.weights(), new ExitSubset(manifest.exitStages()), policy.confidence(),
        macsAt).evaluate(policy);
  }

  @Test
  void accuracyAndMacsMatchOfflineEvaluationAtEveryBatchSize() {
    TinyBundle bundle = TinyBundle.write(dir.resolve("tiny"));
    Manifest manifest = bundle.manifest;
    try (NDManager manager = NDManager.newBaseManager();
        StagedModel model = StagedModel.all(bundle.open(), manager)) {
      for (ExitPolicy policy : List.of(manifest.policy(), ExitPolicy.off(manifest.policy().confidence()))) {
        ExitReport offline = offline(bundle, manager, policy);
        ModelLoop loop = new ModelLoop(model, manager, TinyBundle.IMAGES, TinyBundle.IMAGES.size());
        for (int batch : List.of(1, 5, 24)) {
          ModelLoop.Pass pass = loop.run(policy, batch);
          assertEquals(offline.accuracy(), pass.accuracy(), 1e-9, policy + " batch " + batch);
          assertEquals(offline.expectedMacs(), pass.macsPerImage(), 1e-6, policy + " batch " + batch);
          assertTrue(pass.imagesPerSecond() > 0);
          assertEquals(manifest.stages().size(), pass.stageMillisPerImage().size(), "a time for every stage");
          pass.stageMillisPerImage().forEach((stage, ms) -> assertTrue(ms > 0, "stage " + stage + ": " + ms));
        }
      }
    }
  }

  /**
   * What crosses each split point: the hand-off record the writer makes, the tensor's floats plus a few hundred bytes
   * of the rest; the share going on is what the exits leave, as offline evaluation counts it.
   */
  @Test
  void handOffBytesAreTheTensorsPlusTheRecordAndExitSharesMatchOfflineEvaluation() {
    TinyBundle bundle = TinyBundle.write(dir.resolve("tiny"));
    Manifest manifest = bundle.manifest;
    try (NDManager manager = NDManager.newBaseManager();
        StagedModel model = StagedModel.all(bundle.open(), manager)) {
      ExitReport offline = offline(bundle, manager, manifest.policy());
      ModelLoop loop = new ModelLoop(model, manager, TinyBundle.IMAGES, TinyBundle.IMAGES.size());
      ModelLoop.Pass pass = loop.run(manifest.policy(), 8);
      for (int stage : manifest.exitStages()) {
        assertEquals(offline.exitShares().getOrDefault(stage, 0.0), pass.exitShares().getOrDefault(stage, 0.0),
            1e-9, "exit " + stage);
      }
      BenchReport.Crossing crossing = Crossings.measure(model, manager, manifest.policy(), TinyBundle.IMAGES,
          pass.exitShares(), 10, 4);
      assertEquals(3, crossing.points().size(), "a split after stages 1, 2 and 3");
      assertEquals(64, crossing.inputRawAsSent(), 0.0, "8x8 gray");
      assertTrue(crossing.inputPngAsSent() > 64, "a PNG of 64 pixels is larger than the pixels");
      for (BenchReport.SplitPoint point : crossing.points()) {
        long floats = point.tensor().stream().mapToLong(Long::longValue).reduce(1, (a, b) -> a * b) * 4;
        assertTrue(point.recordBytes() > floats && point.recordBytes() < floats + 400,
            "after stage " + point.after() + ": " + point.recordBytes() + " bytes for " + floats + " of tensor");
        assertEquals(point.goingOnShare() * point.recordBytes(), point.bytesPerImage(), 1e-9);
        assertEquals(manifest.macsUpTo(4), point.edgeMacs() + point.deepMacs());
        Map<String, BenchReport.EncodedSize> encoded = new java.util.HashMap<>();
        point.encodings().forEach(e -> encoded.put(e.encoding(), e));
        assertEquals(point.recordBytes(), encoded.get("float32").recordBytes(), 1e-9);
        long elements = floats / 4;
        // float16 halves the tensor; int8 quarters it and adds a scale and a zero point per channel
        assertEquals(point.recordBytes() - 2 * elements, encoded.get("float16").recordBytes(), 8.0, "float16");
        double int8 = encoded.get("int8").recordBytes();
        assertTrue(int8 > point.recordBytes() - 3 * elements && int8 < point.recordBytes() - 3 * elements
            + 10 * point.tensor().get(0) + 16, "int8 after stage " + point.after() + ": " + int8);
        for (BenchReport.EncodedSize e : point.encodings()) {
          assertEquals(e.recordBytes() * point.goingOnShare(), e.bytesPerImage(), 1e-9);
          assertTrue(e.wireBytes().get("none") > e.recordBytes(), "a record batch adds its headers");
        }
      }
      assertEquals(1 - pass.exitShares().getOrDefault(1, 0.0), crossing.points().get(0).goingOnShare(), 1e-9);
    }
  }

  /**
   * The stages' times predict the gain from the images that reach each stage: with a stage that costs as much as the
   * three before it together, leaving before it saves more than its MACs would say where those are fewer.
   */
  @Test
  void stageTimesPredictTheGainFromTheStagesEachImageReaches() {
    Map<Integer, Double> equal = Map.of(1, 1.0, 2, 1.0, 3, 1.0, 4, 1.0);
    // half leave at 2: stages 1-2 for all, 3-4 for half, 3 of 4 units
    assertEquals(4.0 / 3 - 1, ModelLoop.stageTimePredictedGain(equal, Map.of(2, 0.5, 4, 0.5)), 1e-12);
    assertEquals(0, ModelLoop.stageTimePredictedGain(equal, Map.of(4, 1.0)), 1e-12, "nobody leaves early");
    Map<Integer, Double> heavyLast = Map.of(1, 1.0, 2, 1.0, 3, 1.0, 4, 3.0);
    assertEquals(6.0 / 3.25 - 1, ModelLoop.stageTimePredictedGain(heavyLast, Map.of(1, 0.25, 3, 0.5, 4, 0.25)),
        1e-12, "0.25 leave after stage 1, 0.5 after stage 3");
  }

  @Test
  void memoryGrowthIsMeasuredAfterTheWarmUp() {
    List<BrokerRuns.MemorySample> samples = List.of(new BrokerRuns.MemorySample(0, 500, 100),
        new BrokerRuns.MemorySample(100, 900, 100), new BrokerRuns.MemorySample(500, 1000, 100),
        new BrokerRuns.MemorySample(1000, 1030, 100));
    BenchReport.Memory memory = Bench.memory(1000, 50, samples);
    assertEquals(900, memory.warmupRssMiB(), "the first sample at or after a tenth of the run");
    assertEquals(1030, memory.maxRssMiB());
    assertEquals(1030, memory.finalRssMiB());
    assertEquals(100.0 * 130 / 900, memory.growthPercent(), 1e-9);
  }
}
