package io.aepstreams.streams.runtime;

import static org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
import static org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ThreadReplacementBudgetTest {
  @Test
  void replacesUpToTheBudgetWithinTheWindowThenShutsTheClientDown() {
    AtomicLong now = new AtomicLong();
    ThreadReplacementBudget budget = new ThreadReplacementBudget(3, Duration.ofMinutes(10), now::get);
    assertEquals(REPLACE_THREAD, budget.onFailure());
    now.addAndGet(Duration.ofMinutes(1).toNanos());
    assertEquals(REPLACE_THREAD, budget.onFailure());
    assertEquals(REPLACE_THREAD, budget.onFailure());
    assertEquals(SHUTDOWN_CLIENT, budget.onFailure(), "a fourth failure within ten minutes");
  }

  @Test
  void failuresOlderThanTheWindowNoLongerCount() {
    AtomicLong now = new AtomicLong();
    ThreadReplacementBudget budget = new ThreadReplacementBudget(2, Duration.ofMinutes(10), now::get);
    assertEquals(REPLACE_THREAD, budget.onFailure());
    assertEquals(REPLACE_THREAD, budget.onFailure());
    now.addAndGet(Duration.ofMinutes(11).toNanos());
    assertEquals(REPLACE_THREAD, budget.onFailure(), "the first two have aged out");
    assertEquals(REPLACE_THREAD, budget.onFailure());
    assertEquals(SHUTDOWN_CLIENT, budget.onFailure());
  }
}
