package io.aepstreams.model.training;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import io.aepstreams.model.backbone.AepNetwork;
import io.aepstreams.model.backbone.BackboneSpec;
import io.aepstreams.model.backbone.Backbones;
import io.aepstreams.model.data.ImageSet;
import io.aepstreams.model.data.InputSpec;
import io.aepstreams.model.ensemble.EnsembleLoss;
import io.aepstreams.model.ensemble.ExitWeights;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * Training speed of this project's loop (data from 8-bit images: normalising, shuffling, batching, per-batch
 * managers, loss bookkeeping) beside a bare DJL loop on the same network (one prepared batch, forward, backward,
 * optimizer step): the bare loop is the limit for this engine. Both run in one process, alternating, so machine
 * noise hits both alike.
 */
public final class TrainingBenchmark {
  private TrainingBenchmark() {}

  /** Images per second of each loop, best of its rounds. */
  public record Result(double trainerImagesPerSecond, double bareImagesPerSecond, int images, int rounds) {
    public double ratio() {
      return trainerImagesPerSecond / bareImagesPerSecond;
    }
  }

  public static Result run(BackboneSpec spec, ExitWeights weights, int batchSize, int batches, int rounds,
      long seed) {
    Random random = new Random(seed);
    int images = batchSize * batches;
    byte[] pixels = new byte[images * spec.inChannels() * spec.height() * spec.width()];
    random.nextBytes(pixels);
    int[] labels = IntStream.range(0, images).map(i -> random.nextInt(spec.classes())).toArray();
    List<String> classes = IntStream.range(0, spec.classes()).mapToObj(String::valueOf).toList();
    ImageSet data = new ImageSet(pixels, labels, spec.inChannels(), spec.height(), spec.width(), classes);
    InputSpec input = InputSpec.of(data);
    List<Integer> exits = IntStream.rangeClosed(1, weights.size()).boxed().toList();
    double bestTrainer = 0;
    double bestBare = 0;
    Engine.getInstance().setRandomSeed((int) seed);
    try (Model trainerModel = model(spec, exits, "trainer"); Model bareModel = model(spec, exits, "bare");
        Trainer trainer = trainerModel.newTrainer(config(weights));
        Trainer bare = bareModel.newTrainer(config(weights))) {
      Shape batchShape = new Shape(batchSize).addAll(input.shape());
      trainer.initialize(batchShape);
      bare.initialize(batchShape);
      float[] x = new float[(int) batchShape.size()];
      for (int i = 0; i < x.length; i++) {
        x[i] = (float) random.nextGaussian();
      }
      int[] y = IntStream.range(0, batchSize).map(i -> random.nextInt(spec.classes())).toArray();
      // warm-up: one pass of each, not timed
      AepTraining.trainEpoch(trainer, input, data.head(batchSize * 2), batchSize, random, 0, TrainingListener.NONE);
      bareLoop(bare, x, y, batchShape, 2);
      for (int round = 0; round < rounds; round++) {
        long start = System.nanoTime();
        AepTraining.trainEpoch(trainer, input, data, batchSize, random, round + 1, TrainingListener.NONE);
        bestTrainer = Math.max(bestTrainer, images / ((System.nanoTime() - start) / 1e9));
        start = System.nanoTime();
        bareLoop(bare, x, y, batchShape, batches);
        bestBare = Math.max(bestBare, images / ((System.nanoTime() - start) / 1e9));
      }
    }
    return new Result(bestTrainer, bestBare, images, rounds);
  }

  /** The minimum per batch: the batch onto the engine, forward, loss, backward, step; a manager per batch. */
  private static void bareLoop(Trainer trainer, float[] x, int[] y, Shape shape, int batches) {
    for (int i = 0; i < batches; i++) {
      try (NDManager batch = trainer.getManager().newSubManager()) {
        NDArray input = batch.create(x, shape);
        NDArray labels = batch.create(y);
        try (GradientCollector collector = trainer.newGradientCollector()) {
          NDList out = trainer.forward(new NDList(input));
          collector.backward(trainer.getLoss().evaluate(new NDList(labels), out));
        }
        trainer.step();
      }
    }
  }

  private static Model model(BackboneSpec spec, List<Integer> exits, String name) {
    Model model = Model.newInstance(name);
    model.setBlock(new AepNetwork(Backbones.build(spec), exits));
    return model;
  }

  private static DefaultTrainingConfig config(ExitWeights weights) {
    return new DefaultTrainingConfig(new EnsembleLoss(weights.a()))
        .optOptimizer(Optimizer.adam().optLearningRateTracker(Tracker.fixed(1e-3f)).build());
  }
}
