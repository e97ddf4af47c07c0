package io.aepstreams.model.training;

/**
 * How to train. {@link #paper()} gives the paper's setup: Adam, lr 1e-4, batch 64, at most 100 epochs, early
 * stopping with patience 12 on validation loss, seed 420. {@code device} is {@code cpu}, {@code gpu} or
 * {@code gpu:N} (see {@link io.aepstreams.model.DeviceSpec}).
 */
public record TrainingOptions(int maxEpochs, int batchSize, float learningRate, int patience, long seed,
    String device) {
  public TrainingOptions {
    if (maxEpochs < 1 || batchSize < 1 || patience < 1) {
      throw new IllegalArgumentException("epochs, batch size and patience must be at least 1");
    }
    device = device == null ? "cpu" : device;
    if (!(learningRate > 0)) {
      throw new IllegalArgumentException("learning rate must be positive, got " + learningRate);
    }
  }

  /** On the CPU. */
  public TrainingOptions(int maxEpochs, int batchSize, float learningRate, int patience, long seed) {
    this(maxEpochs, batchSize, learningRate, patience, seed, "cpu");
  }

  public static TrainingOptions paper() {
    return new TrainingOptions(100, 64, 1e-4f, 12, 420);
  }
}
