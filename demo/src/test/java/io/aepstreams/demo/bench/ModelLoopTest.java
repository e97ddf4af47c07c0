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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The benchmark's model loop answers what offline evaluation answers, at every batch size. */
class ModelLoopTest {
  @TempDir Path dir;

  @Test
  void accuracyAndMacsMatchOfflineEvaluationAtEveryBatchSize() {
    TinyBundle bundle = TinyBundle.write(dir.resolve("tiny"));
    Manifest manifest = bundle.manifest;
    try (NDManager manager = NDManager.newBaseManager();
        StagedModel model = StagedModel.all(bundle.open(), manager)) {
      ModelParts parts = bundle.open().loadNetwork(manager);
      ExitLogits logits = ExitEvaluation.logits(parts.network(), parts.input(), TinyBundle.IMAGES, manager);
      long[] macsAt = manifest.exitStages().stream().mapToLong(manifest::macsUpTo).toArray();
      ExitSubset kept = new ExitSubset(manifest.exitStages());
      for (ExitPolicy policy : List.of(manifest.policy(), ExitPolicy.off(manifest.policy().confidence()))) {
        ExitReport offline = new AnytimeEnsemble(logits, parts.weights(), kept, policy.confidence(), macsAt)
            .evaluate(policy);
        ModelLoop loop = new ModelLoop(model, manager, TinyBundle.IMAGES, TinyBundle.IMAGES.size());
        for (int batch : List.of(1, 5, 24)) {
          ModelLoop.Pass pass = loop.run(policy, batch);
          assertEquals(offline.accuracy(), pass.accuracy(), 1e-9, policy + " batch " + batch);
          assertEquals(offline.expectedMacs(), pass.macsPerImage(), 1e-6, policy + " batch " + batch);
          assertTrue(pass.imagesPerSecond() > 0);
        }
      }
    }
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
