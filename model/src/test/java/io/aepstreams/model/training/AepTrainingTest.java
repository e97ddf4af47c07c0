package io.aepstreams.model.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aepstreams.model.backbone.BackboneSpec;
import io.aepstreams.model.data.ImageSet;
import io.aepstreams.model.ensemble.ExitWeights;
import io.aepstreams.model.ensemble.WeightScheme;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AepTrainingTest {
  private static final BackboneSpec TINY = new BackboneSpec("vgg-mini", 1, 8, 8, 2, 0.25);

  @Test
  void lossFallsAndTheBestEpochIsKept() {
    ImageSet train = TinyData.images(256, 1);
    ImageSet validation = TinyData.images(64, 2);
    List<EpochStats> seen = new ArrayList<>();
    TrainingListener listener = new TrainingListener() {
      @Override
      public void onEpoch(EpochStats stats, boolean best) {
        seen.add(stats);
      }
    };
    try (TrainedModel model = AepTraining.train(TINY, ExitWeights.of(WeightScheme.MIX, 4), train, validation,
        new TrainingOptions(4, 32, 5e-3f, 10, 420), listener)) {
      assertEquals(4, model.history().size());
      assertEquals(seen, model.history());
      assertEquals("vgg-mini-x0.25-mix", model.name(), "the bundle's name says the width it was trained at");
      assertTrue(model.history().get(3).trainLoss() < model.history().get(0).trainLoss() * 0.8,
          "loss " + model.history().get(0).trainLoss() + " -> " + model.history().get(3).trainLoss());
      assertEquals(4, model.history().get(0).exitAccuracies().size());
      double best = model.history().stream().mapToDouble(EpochStats::ensembleAccuracy).max().orElseThrow();
      assertEquals(best, model.history().get(model.bestEpoch() - 1).ensembleAccuracy());
      // The restored checkpoint is the best epoch's, not the last one's.
      double restored = AepTraining.ensembleAccuracy(
          ExitEvaluation.logits(model.network(), model.input(), validation, model.model().getNDManager()),
          model.weights());
      assertEquals(best, restored, 1e-9);
      assertTrue(best > 0.9, "a separable toy problem should be learnt, got " + best);
    }
  }

  /**
   * Same seed, same machine: the same history to the bit. The second run trains while another thread keeps
   * making the garbage collector free Java memory and refilling it with NaN, as a busy JVM on a machine with a
   * smaller heap would: anything the graph reads from memory that Java may free shows up as a difference.
   */
  @Test
  void sameSeedSameResultToTheLastBit() throws InterruptedException {
    ImageSet train = TinyData.images(512, 1);
    ImageSet validation = TinyData.images(64, 2);
    TrainingOptions options = new TrainingOptions(2, 16, 5e-3f, 10, 7);
    List<EpochStats> first;
    try (TrainedModel model = AepTraining.train(TINY, ExitWeights.of(WeightScheme.UNIF, 4), train, validation,
        options, TrainingListener.NONE)) {
      first = model.history();
    }
    AtomicBoolean training = new AtomicBoolean(true);
    Thread churn = new Thread(() -> {
      while (training.get()) {
        try {
          GarbageChurn.collectAndReuseFreedMemory();
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "garbage-churn");
    churn.start();
    List<EpochStats> second;
    try (TrainedModel model = AepTraining.train(TINY, ExitWeights.of(WeightScheme.UNIF, 4), train, validation,
        options, TrainingListener.NONE)) {
      second = model.history();
    } finally {
      training.set(false);
      churn.join();
    }
    for (int e = 0; e < 2; e++) {
      assertTrue(Double.isFinite(first.get(e).trainLoss()), "epoch " + (e + 1) + " loss " + first.get(e));
      assertEquals(first.get(e).trainLoss(), second.get(e).trainLoss(), 0.0, "epoch " + (e + 1));
      assertEquals(first.get(e).validationLoss(), second.get(e).validationLoss(), 0.0);
      assertEquals(first.get(e).exitAccuracies(), second.get(e).exitAccuracies());
    }
  }

  /**
   * A run stopped after epoch 1 and started again goes on from its checkpoint through the same shuffles and
   * optimiser state: its history and weights are those of a run that never stopped, to the bit.
   */
  @Test
  void aResumedRunIsTheRunThatNeverStopped(@TempDir Path dir) {
    ImageSet train = TinyData.images(256, 1);
    ImageSet validation = TinyData.images(64, 2);
    TrainingOptions two = new TrainingOptions(2, 16, 5e-3f, 10, 7);
    TrainingOptions one = new TrainingOptions(1, 16, 5e-3f, 10, 7);
    ExitWeights weights = ExitWeights.of(WeightScheme.MIX, 4);
    List<EpochStats> unbroken;
    byte[] unbrokenWeights;
    try (TrainedModel model = AepTraining.train(TINY, weights, train, validation, two, TrainingListener.NONE,
        new TrainingCheckpoint(dir.resolve("unbroken")))) {
      unbroken = model.history();
      unbrokenWeights = TrainingCheckpoint.parameters(model.network());
    }
    TrainingCheckpoint checkpoint = new TrainingCheckpoint(dir.resolve("stopped"));
    try (TrainedModel model = AepTraining.train(TINY, weights, train, validation, one, TrainingListener.NONE,
        checkpoint)) {
      assertEquals(1, model.history().size());
    }
    assertEquals(1, checkpoint.progress().epochsDone());
    List<Integer> resumedAfter = new ArrayList<>();
    TrainingListener listener = new TrainingListener() {
      @Override
      public void onResume(int epochsDone, int bestEpoch, Path from) {
        resumedAfter.add(epochsDone);
      }
    };
    try (TrainedModel model = AepTraining.train(TINY, weights, train, validation, two, listener, checkpoint)) {
      assertEquals(List.of(1), resumedAfter);
      assertEquals(2, model.history().size());
      for (int e = 0; e < 2; e++) {
        EpochStats expected = unbroken.get(e);
        EpochStats actual = model.history().get(e);
        assertEquals(expected.trainLoss(), actual.trainLoss(), 0.0, "epoch " + (e + 1));
        assertEquals(expected.validationLoss(), actual.validationLoss(), 0.0, "epoch " + (e + 1));
        assertEquals(expected.exitAccuracies(), actual.exitAccuracies());
      }
      assertTrue(java.util.Arrays.equals(unbrokenWeights, TrainingCheckpoint.parameters(model.network())),
          "the resumed run's kept weights differ from the unbroken run's");
    }
  }

  @Test
  void aCheckpointOfAnotherRunIsRefused(@TempDir Path dir) {
    ImageSet train = TinyData.images(64, 1);
    ImageSet validation = TinyData.images(32, 2);
    TrainingCheckpoint checkpoint = new TrainingCheckpoint(dir);
    TrainingOptions options = new TrainingOptions(1, 32, 1e-3f, 10, 7);
    try (TrainedModel model = AepTraining.train(TINY, ExitWeights.of(WeightScheme.MIX, 4), train, validation,
        options, TrainingListener.NONE, checkpoint)) {
      assertEquals(1, model.history().size());
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AepTraining.train(TINY,
        ExitWeights.of(WeightScheme.DESC, 4), train, validation, options, TrainingListener.NONE, checkpoint));
    assertTrue(e.getMessage().contains("another run"), e.getMessage());
  }

  @Test
  void singleTrainsOnlyTheLastExit() {
    try (TrainedModel model = AepTraining.train(TINY, ExitWeights.of(WeightScheme.SINGLE, 4),
        TinyData.images(64, 1), TinyData.images(32, 2), new TrainingOptions(1, 32, 1e-3f, 10, 7),
        TrainingListener.NONE)) {
      assertEquals(List.of(4), model.network().exits());
      assertEquals(1, model.history().get(0).exitAccuracies().size());
    }
  }
}
