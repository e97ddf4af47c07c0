package io.aepstreams.streams.runtime;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.LongSupplier;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;

/**
 * How often a failed stream thread is replaced: at most {@code replacements} times within {@code window}. A failure
 * that keeps coming back (the same poisoned offset, a broken engine) then shuts the client down, so liveness fails
 * and the orchestrator restarts the process, instead of a thread dying and returning forever behind a healthy probe.
 */
public final class ThreadReplacementBudget {
  private final int replacements;
  private final long windowNanos;
  private final LongSupplier clock;
  private final Deque<Long> recent = new ArrayDeque<>();

  public ThreadReplacementBudget(int replacements, Duration window) {
    this(replacements, window, System::nanoTime);
  }

  ThreadReplacementBudget(int replacements, Duration window, LongSupplier clock) {
    this.replacements = replacements;
    this.windowNanos = window.toNanos();
    this.clock = clock;
  }

  /** The answer to one more failed thread. */
  public synchronized StreamThreadExceptionResponse onFailure() {
    long now = clock.getAsLong();
    while (!recent.isEmpty() && now - recent.peekFirst() > windowNanos) {
      recent.removeFirst();
    }
    if (recent.size() >= replacements) {
      return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    }
    recent.addLast(now);
    return StreamThreadExceptionResponse.REPLACE_THREAD;
  }
}
