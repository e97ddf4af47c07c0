package io.aepstreams.model.training;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import io.aepstreams.model.DeviceSpec;
import io.aepstreams.model.TorchEngine;
import io.aepstreams.model.backbone.AepNetwork;
import io.aepstreams.model.backbone.BackboneSpec;
import io.aepstreams.model.backbone.Backbones;
import io.aepstreams.model.backbone.StagedNetwork;
import io.aepstreams.model.data.ImageSet;
import io.aepstreams.model.data.InputSpec;
import io.aepstreams.model.ensemble.Ensemble;
import io.aepstreams.model.ensemble.EnsembleLoss;
import io.aepstreams.model.ensemble.ExitWeights;
import io.aepstreams.model.ensemble.WeightScheme;
import io.aepstreams.model.prune.ExitLogits;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * Trains an AEP network (docs/design.md §1): Adam on {@code sum_i a_i * CE(O_i, y)}, seeded; after each epoch the
 * validation loss drives early stopping and the validation ensemble top-1 picks the checkpoint that is kept.
 */
public final class AepTraining {
  /** How often (in batches) the listener hears about progress. */
  static final int REPORT_EVERY = 20;

  private AepTraining() {}

  /**
   * Trains {@code backbone} with {@code weights} (SINGLE trains the last exit alone; otherwise every exit) on
   * {@code train}, checking against {@code validation} after each epoch; returns the best checkpoint.
   */
  public static TrainedModel train(BackboneSpec backbone, ExitWeights weights, ImageSet train, ImageSet validation,
      TrainingOptions options, TrainingListener listener) {
    return train(backbone, weights, train, validation, options, listener, null);
  }

  /**
   * As above, saving the state to {@code checkpoint} (null: nowhere) after every epoch and, when it holds a checkpoint
   * of this same run, going on from there: a resumed run goes through the same shuffles and optimiser state as one
   * that never stopped.
   */
  public static TrainedModel train(BackboneSpec backbone, ExitWeights weights, ImageSet train, ImageSet validation,
      TrainingOptions options, TrainingListener listener, TrainingCheckpoint checkpoint) {
    StagedNetwork blocks = Backbones.build(backbone);
    List<Integer> exits = weights.scheme() == WeightScheme.SINGLE
        ? List.of(blocks.size())
        : IntStream.rangeClosed(1, blocks.size()).boxed().toList();
    if (weights.size() != exits.size()) {
      throw new IllegalArgumentException(weights.size() + " weights for " + exits.size() + " exits");
    }
    InputSpec input = InputSpec.of(train);
    TorchEngine.start();
    Engine.getInstance().setRandomSeed((int) options.seed());
    AepNetwork network = new AepNetwork(blocks, exits);
    Device device = DeviceSpec.parse(options.device());
    Model model = Model.newInstance(backbone.label() + "-" + weights.scheme().name().toLowerCase(), device);
    model.setBlock(network);
    List<EpochStats> history = new ArrayList<>();
    int bestEpoch = 0;
    try {
      ResumableAdam adam = new ResumableAdam(options.learningRate());
      DefaultTrainingConfig config = new DefaultTrainingConfig(new EnsembleLoss(weights.a()))
          .optDevices(new Device[] {device})
          .optOptimizer(adam);
      Shape batchShape = new Shape(options.batchSize()).addAll(input.shape());
      String setup = setup(backbone, weights, train, validation, options);
      TrainingCheckpoint.Resumed resumed = null;
      if (checkpoint != null && checkpoint.progress() != null) {
        network.initialize(model.getNDManager(), DataType.FLOAT32, batchShape);
        resumed = checkpoint.resume(setup, network, adam, model.getNDManager());
      }
      try (Trainer trainer = model.newTrainer(config)) {
        trainer.initialize(batchShape); // keeps parameters already there (a resumed run's)
        byte[] best = null;
        double bestAccuracy = -1;
        double bestLoss = Double.POSITIVE_INFINITY;
        int sinceBetterLoss = 0;
        int done = 0;
        boolean stopped = false;
        Random shuffle = new Random(options.seed());
        if (resumed != null) {
          TrainingCheckpoint.Progress p = resumed.progress();
          history.addAll(p.history());
          done = p.epochsDone();
          bestEpoch = p.bestEpoch();
          bestAccuracy = p.bestAccuracy();
          bestLoss = p.bestLoss();
          sinceBetterLoss = p.sinceBetterLoss();
          stopped = p.stoppedEarly();
          best = resumed.best();
          for (int epoch = 1; epoch <= done; epoch++) {
            ImageSet.shuffled(train.size(), shuffle); // the orders the finished epochs used
          }
          listener.onResume(done, bestEpoch, checkpoint.dir());
        }
        for (int epoch = done + 1; epoch <= options.maxEpochs() && !stopped; epoch++) {
          long start = System.nanoTime();
          double trainLoss = trainEpoch(trainer, input, train, options.batchSize(), shuffle, epoch, listener);
          double trainSeconds = (System.nanoTime() - start) / 1e9;
          ExitLogits logits = ExitEvaluation.logits(network, input, validation, trainer.getManager());
          double validationLoss = weightedLoss(logits, weights);
          List<Double> exitAccuracies = new ArrayList<>();
          for (int e = 0; e < exits.size(); e++) {
            exitAccuracies.add(exitAccuracy(logits, e));
          }
          double ensembleAccuracy = ensembleAccuracy(logits, weights);
          EpochStats stats = new EpochStats(epoch, trainLoss, train.size() / trainSeconds, validationLoss,
              exitAccuracies, ensembleAccuracy, (System.nanoTime() - start) / 1e9);
          history.add(stats);
          boolean improved = ensembleAccuracy > bestAccuracy;
          if (improved) {
            bestAccuracy = ensembleAccuracy;
            bestEpoch = epoch;
            best = TrainingCheckpoint.parameters(network);
          }
          listener.onEpoch(stats, improved);
          if (validationLoss < bestLoss) {
            bestLoss = validationLoss;
            sinceBetterLoss = 0;
          } else if (++sinceBetterLoss >= options.patience()) {
            listener.onEarlyStop(epoch, bestEpoch);
            stopped = true;
          }
          if (checkpoint != null) {
            checkpoint.save(new TrainingCheckpoint.Progress(setup, epoch, List.copyOf(history), bestEpoch,
                bestAccuracy, bestLoss, sinceBetterLoss, stopped), network, adam, best, improved);
          }
        }
        TrainingCheckpoint.load(network, best, model.getNDManager());
      }
    } catch (RuntimeException e) {
      model.close();
      throw e;
    }
    return new TrainedModel(model, backbone, blocks, network, weights, input, train.classNames(), history, bestEpoch);
  }

  static double trainEpoch(Trainer trainer, InputSpec input, ImageSet train, int batchSize, Random shuffle,
      int epoch, TrainingListener listener) {
    int[] order = ImageSet.shuffled(train.size(), shuffle);
    double lossSum = 0;
    int batches = 0;
    long start = System.nanoTime();
    // The last partial batch is dropped: BatchNorm on a handful of images is noise.
    int usable = train.size() - train.size() % batchSize;
    if (usable == 0) {
      usable = train.size();
    }
    for (int from = 0; from < usable; from += batchSize) {
      int to = Math.min(usable, from + batchSize);
      try (NDManager batch = trainer.getManager().newSubManager()) {
        NDArray x = input.batch(batch, train, order, from, to);
        int[] labels = new int[to - from];
        for (int i = from; i < to; i++) {
          labels[i - from] = train.labels()[order[i]];
        }
        NDArray y = batch.create(labels);
        try (GradientCollector collector = trainer.newGradientCollector()) {
          NDList predictions = trainer.forward(new NDList(x));
          NDArray loss = trainer.getLoss().evaluate(new NDList(y), predictions);
          collector.backward(loss);
          lossSum += loss.getFloat();
        }
        trainer.step();
      }
      batches++;
      if (batches % REPORT_EVERY == 0 || to == usable) {
        double seconds = (System.nanoTime() - start) / 1e9;
        listener.onBatch(epoch, to, usable, lossSum / batches, to / seconds);
      }
    }
    return lossSum / Math.max(1, batches);
  }

  /** {@code sum_i a_i * CE(O_i, y)} averaged over the images, on plain arrays. */
  static double weightedLoss(ExitLogits logits, ExitWeights weights) {
    double total = 0;
    for (int image = 0; image < logits.images(); image++) {
      for (int e = 0; e < logits.exits().size(); e++) {
        float[] row = logits.logits()[image][e];
        float[] p = Ensemble.softmax(row, 1);
        total -= weights.a().get(e) * Math.log(Math.max(1e-12, p[logits.labels()[image]]));
      }
    }
    return total / Math.max(1, logits.images());
  }

  static double exitAccuracy(ExitLogits logits, int exit) {
    int right = 0;
    for (int image = 0; image < logits.images(); image++) {
      right += Ensemble.argmax(logits.logits()[image][exit]) == logits.labels()[image] ? 1 : 0;
    }
    return (double) right / Math.max(1, logits.images());
  }

  /** Top-1 of the b-weighted ensemble of every exit in {@code logits}. */
  public static double ensembleAccuracy(ExitLogits logits, ExitWeights weights) {
    int right = 0;
    float[] sum = new float[logits.classes()];
    for (int image = 0; image < logits.images(); image++) {
      java.util.Arrays.fill(sum, 0f);
      for (int e = 0; e < logits.exits().size(); e++) {
        Ensemble.accumulate(sum, logits.logits()[image][e], weights.b().get(e));
      }
      right += Ensemble.argmax(sum) == logits.labels()[image] ? 1 : 0;
    }
    return (double) right / Math.max(1, logits.images());
  }

  /**
   * What makes two runs the same run, for resuming: the network, the weights, the data (sizes and a digest) and the
   * options but the epoch limit (raising it goes on training) and the device.
   */
  static String setup(BackboneSpec backbone, ExitWeights weights, ImageSet train, ImageSet validation,
      TrainingOptions options) {
    return String.format(java.util.Locale.ROOT, "%s a=%s b=%s train %d (%08x) validation %d (%08x) batch %d lr %s "
            + "patience %d seed %d", backbone, weights.a(), weights.b(), train.size(), digest(train), validation.size(),
        digest(validation), options.batchSize(), options.learningRate(), options.patience(), options.seed());
  }

  private static int digest(ImageSet set) {
    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
    crc.update(set.pixels());
    for (int label : set.labels()) {
      crc.update(label);
    }
    return (int) crc.getValue();
  }
}
