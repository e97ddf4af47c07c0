package io.aepstreams.model.bundle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import io.aepstreams.model.backbone.BackboneSpec;
import io.aepstreams.model.data.ImageSet;
import io.aepstreams.model.ensemble.ExitWeights;
import io.aepstreams.model.ensemble.WeightScheme;
import io.aepstreams.model.policy.Confidence;
import io.aepstreams.model.policy.ExitPolicy;
import io.aepstreams.model.prune.ExitSubset;
import io.aepstreams.model.training.AepTraining;
import io.aepstreams.model.training.TinyData;
import io.aepstreams.model.training.TrainedModel;
import io.aepstreams.model.training.TrainingListener;
import io.aepstreams.model.training.TrainingOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelBundleTest {
  private static TrainedModel model;
  private static final ImageSet IMAGES = TinyData.images(16, 3);
  private static final ExitPolicy POLICY = new ExitPolicy(Confidence.MAX_SOFTMAX, Map.of(2, 0.9));

  @BeforeAll
  static void train() {
    model = AepTraining.train(new BackboneSpec("vgg-mini", 1, 8, 8, 2, 0.25), ExitWeights.of(WeightScheme.MIX, 4),
        TinyData.images(64, 1), TinyData.images(32, 2), new TrainingOptions(1, 32, 1e-3f, 10, 420),
        TrainingListener.NONE);
  }

  @AfterAll
  static void close() {
    model.close();
  }

  /** Per stage: the stage's output, then its head's logits where the head is kept, for the first 16 images. */
  private static float[][] reference(List<Integer> exits) {
    try (NDManager manager = model.model().getNDManager().newSubManager()) {
      NDArray x = input(manager);
      ParameterStore store = new ParameterStore(manager, false);
      float[][] out = new float[8][];
      NDList current = new NDList(x);
      for (int s = 1; s <= 4; s++) {
        current = model.blocks().stages().get(s - 1).forward(store, current, false);
        out[2 * (s - 1)] = current.singletonOrThrow().toFloatArray();
        if (exits.contains(s)) {
          out[2 * (s - 1) + 1] = model.blocks().heads().get(s - 1).forward(store, current, false)
              .singletonOrThrow().toFloatArray();
        }
      }
      return out;
    }
  }

  private static NDArray input(NDManager manager) {
    int[] all = new int[IMAGES.size()];
    for (int i = 0; i < all.length; i++) {
      all[i] = i;
    }
    return model.input().batch(manager, IMAGES, all, 0, all.length);
  }

  private static float[][] fromBundle(StagedModel staged) {
    float[][] out = new float[8][];
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray current = input(manager);
      for (int s = staged.first(); s <= staged.last(); s++) {
        current = staged.runStage(s, current);
        out[2 * (s - 1)] = current.toFloatArray();
        if (staged.hasExit(s)) {
          out[2 * (s - 1) + 1] = staged.runExit(s, current).toFloatArray();
        }
      }
    }
    return out;
  }

  @Test
  void roundTripGivesBitIdenticalOutputsPerStage(@TempDir Path dir) {
    Manifest manifest = BundleExport.write(dir, "tiny", model.parts(), new ExitSubset(List.of(1, 2, 3, 4)), POLICY,
        Map.of("testAccuracy", 0.5));
    float[][] expected = reference(List.of(1, 2, 3, 4));
    try (NDManager manager = NDManager.newBaseManager();
        StagedModel staged = StagedModel.all(ModelBundle.open(dir), manager)) {
      float[][] actual = fromBundle(staged);
      for (int i = 0; i < 8; i++) {
        assertArrayEquals(expected[i], actual[i], 0f, "output " + i);
      }
    }
    assertEquals(16, manifest.version().length());
    assertEquals(POLICY, ModelBundle.open(dir).manifest().policy());
    assertEquals(List.of(1L, 8L, 8L), manifest.stages().get(0).inputShape());
  }

  @Test
  void aStageLoadsWithoutTheOthersFiles(@TempDir Path dir) throws Exception {
    BundleExport.write(dir, "tiny", model.parts(), new ExitSubset(List.of(2, 4)), POLICY, Map.of());
    float[][] expected = reference(List.of(2, 4));
    Files.delete(dir.resolve("stage-1.params"));
    try (NDManager manager = NDManager.newBaseManager();
        StagedModel tail = new StagedModel(ModelBundle.open(dir), 2, 4, manager)) {
      NDArray stage1Output = manager.create(expected[0], new ai.djl.ndarray.types.Shape(16, 8, 4, 4));
      NDArray out2 = tail.runStage(2, stage1Output);
      assertArrayEquals(expected[2], out2.toFloatArray(), 0f);
      assertArrayEquals(expected[3], tail.runExit(2, out2).toFloatArray(), 0f);
      assertThrows(IllegalArgumentException.class, () -> tail.runExit(3, out2), "exit 3 was pruned");
    }
    BundleException e = assertThrows(BundleException.class,
        () -> ModelBundle.open(dir).loadStage(1, NDManager.newBaseManager()));
    assertTrue(e.getMessage().contains("has no stage-1.params"), e.getMessage());
  }

  @Test
  void prunedBundleKeepsOnlyItsExitsAndStagesUpToTheDeepest(@TempDir Path dir) {
    Manifest manifest = BundleExport.write(dir, "tiny", model.parts(), new ExitSubset(List.of(1, 3)), POLICY,
        Map.of());
    assertEquals(List.of(1, 3), manifest.exitStages());
    assertEquals(3, manifest.stages().size());
    assertNull(manifest.exit(2));
    assertTrue(Files.exists(dir.resolve("exit-3.params")));
    assertTrue(Files.notExists(dir.resolve("stage-4.params")));
    assertTrue(Files.notExists(dir.resolve("exit-2.params")));
    // MIX: a = (0.4, 0.3, 0.2, 0.1), b = (0.1, 0.2, 0.3, 0.4), kept as trained
    assertEquals(0.3, manifest.exit(3).b());
    assertEquals(0.2, manifest.exit(3).a());
    assertEquals(manifest.stage(1).macs() + manifest.exit(1).macs(), manifest.macsUpTo(1));
  }

  @Test
  void zipReadsTheSameAsTheDirectoryAndVersionsFollowContent(@TempDir Path dir) {
    Path a = dir.resolve("a");
    Path b = dir.resolve("b");
    // The same metrics in another order (as Map.of iterates differently in every JVM): the same content.
    Map<String, Object> metrics = new java.util.LinkedHashMap<>();
    metrics.put("seed", 420);
    metrics.put("epochs", 1);
    Map<String, Object> reordered = new java.util.LinkedHashMap<>();
    reordered.put("epochs", 1);
    reordered.put("seed", 420);
    Manifest first = BundleExport.write(a, "tiny", model.parts(), new ExitSubset(List.of(2, 4)), POLICY,
        Map.of("training", metrics));
    Manifest same = BundleExport.write(b, "tiny", model.parts(), new ExitSubset(List.of(2, 4)), POLICY,
        Map.of("training", reordered));
    assertEquals(first.version(), same.version(), "same content, same version");
    Manifest other = ModelBundle.rewriteManifest(b, same.withPolicy(ExitPolicy.off(Confidence.MARGIN)));
    assertNotEquals(first.version(), other.version());

    Path zip = dir.resolve("tiny.zip");
    ModelBundle.zip(a, zip);
    assertEquals(first, ModelBundle.open(zip).manifest());
    try (NDManager manager = NDManager.newBaseManager();
        StagedModel fromDir = StagedModel.all(ModelBundle.open(a), manager);
        StagedModel fromZip = StagedModel.all(ModelBundle.open(zip), manager)) {
      float[][] x = fromBundle(fromDir);
      float[][] y = fromBundle(fromZip);
      for (int i = 0; i < 8; i++) {
        assertArrayEquals(x[i], y[i], 0f);
      }
    }
  }

  @Test
  void missingOrForeignBundlesAreClearErrors(@TempDir Path dir) throws Exception {
    BundleException missing = assertThrows(BundleException.class, () -> ModelBundle.open(dir.resolve("none")));
    assertEquals("no model bundle at " + dir.resolve("none"), missing.getMessage());
    Files.writeString(dir.resolve("manifest.json"), "{not json");
    BundleException broken = assertThrows(BundleException.class, () -> ModelBundle.open(dir));
    assertTrue(broken.getMessage().contains("is not a readable manifest"), broken.getMessage());
  }
}
