package io.aepstreams.model.training;

/**
 * How to train. {@link #paper()} gives the paper's setup: Adam, lr 1e-4, batch 64, at most 100 epochs, early
 * stopping with patience 12 on validation loss, seed 420.
 */
public record TrainingOptions(int maxEpochs, int batchSize, float learningRate, int patience, long seed) {
  public TrainingOptions {
    if (maxEpochs < 1 || batchSize < 1 || patience < 1) {
      throw new IllegalArgumentException("epochs, batch size and patience must be at least 1");
    }
    if (!(learningRate > 0)) {
      throw new IllegalArgumentException("learning rate must be positive, got " + learningRate);
    }
  }

  public static TrainingOptions paper() {
    return new TrainingOptions(100, 64, 1e-4f, 12, 420);
  }
}
