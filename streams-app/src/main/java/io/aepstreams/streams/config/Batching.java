package io.aepstreams.streams.config;

/**
 * How a stage range collects images into batches: up to {@code maxSize} images, waiting at most {@code maxDelayMs}
 * for the batch to fill. A batch of one is unbatched inference: no image waits.
 */
public record Batching(int maxSize, long maxDelayMs) {
  /** Batches of up to 32 images, waiting at most 5 ms: see docs/results/throughput.md for the measurements. */
  public static final Batching DEFAULT = new Batching(32, 5);
  /** One image at a time. */
  public static final Batching NONE = new Batching(1, 0);

  public Batching {
    if (maxSize < 1) {
      throw new IllegalArgumentException(AppConfig.BATCH_MAX_SIZE + " must be 1 or more, got " + maxSize);
    }
    if (maxSize > 1 && maxDelayMs < 1) {
      throw new IllegalArgumentException(AppConfig.BATCH_MAX_DELAY_MS + " must be 1 ms or more to batch, got "
          + maxDelayMs);
    }
  }

  /** Whether images wait for one another (and so must be kept in a state store while they do). */
  public boolean waits() {
    return maxSize > 1;
  }
}
