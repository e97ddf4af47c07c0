package io.aepstreams.streams.config;

import java.util.Map;

/**
 * How a stage range collects images into batches: up to {@code maxSize} images, waiting at most {@code maxDelayMs}
 * for the batch to fill. A batch of one is unbatched inference: no image waits.
 *
 * <p>The images that go on past an exit make smaller batches at the deeper stages of the range; each of those
 * stages may wait for more to refill its batch, at most {@link #refillDelayMs}: what {@code refillDelaysMs} gives
 * for it, or else a delay derived from the bundle's exit shares, up to {@code refillMaxDelayMs} (0: a deeper stage
 * runs what reaches it at once).
 */
public record Batching(int maxSize, long maxDelayMs, long refillMaxDelayMs, Map<Integer, Long> refillDelaysMs) {
  /** The most a deeper stage waits to refill its batch, unless set: see docs/results/throughput.md. */
  public static final long DEFAULT_REFILL_MAX_DELAY_MS = 20;
  /** Batches of up to 32 images, waiting at most 5 ms: see docs/results/throughput.md for the measurements. */
  public static final Batching DEFAULT = new Batching(32, 5, DEFAULT_REFILL_MAX_DELAY_MS, Map.of());
  /** One image at a time. */
  public static final Batching NONE = new Batching(1, 0, 0, Map.of());

  public Batching {
    if (maxSize < 1) {
      throw new IllegalArgumentException(AppConfig.BATCH_MAX_SIZE + " must be 1 or more, got " + maxSize);
    }
    if (maxSize > 1 && maxDelayMs < 1) {
      throw new IllegalArgumentException(AppConfig.BATCH_MAX_DELAY_MS + " must be 1 ms or more to batch, got "
          + maxDelayMs);
    }
    if (refillMaxDelayMs < 0) {
      throw new IllegalArgumentException(AppConfig.BATCH_REFILL_MAX_DELAY_MS + " must be 0 (off) or more, got "
          + refillMaxDelayMs);
    }
    refillDelaysMs = Map.copyOf(refillDelaysMs);
    refillDelaysMs.forEach((stage, delay) -> {
      if (stage < 2 || delay < 0) {
        throw new IllegalArgumentException(AppConfig.BATCH_REFILL_DELAY_MS + " takes stage:ms pairs for stages 2 "
            + "and deeper, each 0 or more ms; got " + stage + ":" + delay);
      }
    });
  }

  /** Batches of up to {@code maxSize}, waiting at most {@code maxDelayMs}, deeper stages refilling by default. */
  public Batching(int maxSize, long maxDelayMs) {
    this(maxSize, maxDelayMs, maxSize > 1 ? DEFAULT_REFILL_MAX_DELAY_MS : 0, Map.of());
  }

  /**
   * How often a waiting batch is looked at: a quarter of the delay, so that a batch waits at most a quarter longer
   * than asked, between two looks.
   */
  public long tickMs() {
    return Math.max(1, maxDelayMs / 4);
  }

  /** Whether images wait for one another (and so must be kept in a state store while they do). */
  public boolean waits() {
    return maxSize > 1;
  }

  /**
   * How long images may wait at {@code stage}, deeper than the first of the range, for its batch to refill: what
   * {@code refillDelaysMs} says for it; or else derived from {@code exitShares}, the share of images leaving at each
   * exit at the operating point in force. A stage that a share r of the images reach fills its batch 1/r times
   * slower than the first stage, which waits at most {@code maxDelayMs}: the deeper stage waits the difference,
   * {@code maxDelayMs * (1/r - 1)}, at most {@code refillMaxDelayMs}. 0 where no image leaves at the stage just
   * before (its batches come on whole: every stage runs for every image, that stage keeps no exit, or the shares are
   * unknown), or where nothing batches.
   */
  public long refillDelayMs(Map<Integer, Double> exitShares, int stage) {
    if (!waits()) {
      return 0;
    }
    if (refillDelaysMs.containsKey(stage)) {
      return refillDelaysMs.get(stage);
    }
    if (refillMaxDelayMs == 0 || exitShares.getOrDefault(stage - 1, 0.0) <= 0) {
      return 0;
    }
    double reaching = 1 - exitShares.entrySet().stream().filter(e -> e.getKey() < stage)
        .mapToDouble(Map.Entry::getValue).sum();
    if (reaching <= 1e-9) {
      return refillMaxDelayMs;
    }
    return Math.min(refillMaxDelayMs, Math.round(maxDelayMs * (1 / reaching - 1)));
  }
}
