package io.aepstreams.streams.runtime;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SIGTERM (or Ctrl-C) as a request to stop, installed before anything is loaded. The JVM runs shutdown hooks and then
 * halts, so the hook does not return until the main thread says it has closed the instance (flushed, committed,
 * left the group), or until the bound passes; then it logs and exits non-zero, leaving native memory alone.
 */
public final class StopSignal {
  private static final Logger LOG = LoggerFactory.getLogger(StopSignal.class);
  /** Beyond the instance's own close timeout, for the rest of the process to wind down. */
  private static final Duration MARGIN = Duration.ofSeconds(3);

  private final CountDownLatch requested = new CountDownLatch(1);
  private final CountDownLatch stopped = new CountDownLatch(1);

  private StopSignal() {}

  /** Installs the hook; {@code bound} is how long a stop may take before the process exits regardless. */
  public static StopSignal install(Duration bound) {
    StopSignal signal = new StopSignal();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> signal.onSignal(bound.plus(MARGIN)), "aep-shutdown"));
    return signal;
  }

  private void onSignal(Duration bound) {
    requested.countDown();
    try {
      if (!stopped.await(bound.toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.error("did not stop within {}: exiting without a clean close", bound);
        Runtime.getRuntime().halt(1);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  public boolean requested() {
    return requested.getCount() == 0;
  }

  /** Waits until a stop is requested or {@code timeout} passes; true when requested. */
  public boolean await(Duration timeout) throws InterruptedException {
    return requested.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Tells a waiting hook that the instance is closed, cleanly or not: the process may exit now. */
  public void stopped() {
    stopped.countDown();
  }
}
