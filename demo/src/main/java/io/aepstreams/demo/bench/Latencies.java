package io.aepstreams.demo.bench;

import java.util.Arrays;

/** Latency samples in milliseconds, and their percentiles. Not thread-safe: one consumer thread feeds it. */
public final class Latencies {
  private long[] samples = new long[1024];
  private int count;

  public void add(long millis) {
    if (count == samples.length) {
      samples = Arrays.copyOf(samples, samples.length * 2);
    }
    samples[count++] = millis;
  }

  public int count() {
    return count;
  }

  /** The {@code q}-quantile (nearest rank), 0 with no samples. */
  public long percentile(double q) {
    if (count == 0) {
      return 0;
    }
    long[] sorted = Arrays.copyOf(samples, count);
    Arrays.sort(sorted);
    return sorted[(int) Math.max(0, Math.min(count - 1, Math.ceil(q * count) - 1))];
  }
}
