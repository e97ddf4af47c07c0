package io.aepstreams.model.training;

/** Progress of a training run, for a progress bar or a log. */
public interface TrainingListener {
  /** Called every few batches: {@code done} of {@code total} images of this epoch. */
  default void onBatch(int epoch, int done, int total, double meanLoss, double imagesPerSecond) {}

  default void onEpoch(EpochStats stats, boolean best) {}

  default void onEarlyStop(int epoch, int bestEpoch) {}

  /** A run goes on from a checkpoint in {@code dir} after {@code epochsDone} epochs. */
  default void onResume(int epochsDone, int bestEpoch, java.nio.file.Path dir) {}

  TrainingListener NONE = new TrainingListener() {};
}
