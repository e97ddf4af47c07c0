package io.aepstreams.streams.topology;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;

/**
 * Passes off the stream thread that run only when a test lets them ({@link #finishAll}), or when the stream thread
 * waits for one: a pass still running at any chosen moment, with no thread and no timing involved.
 */
final class HeldPasses extends StagePasses {
  private final List<FutureTask<?>> held = new ArrayList<>();
  private int started;

  @Override
  <T> Future<T> submit(Callable<T> pass) {
    FutureTask<T> task = new FutureTask<>(pass);
    held.add(task);
    started++;
    return new Future<>() {
      @Override
      public boolean cancel(boolean interrupt) {
        return task.cancel(interrupt);
      }

      @Override
      public boolean isCancelled() {
        return task.isCancelled();
      }

      @Override
      public boolean isDone() {
        return task.isDone();
      }

      /** The stream thread waits for it: it runs now, as a pass thread would have run it meanwhile. */
      @Override
      public T get() throws InterruptedException, ExecutionException {
        held.remove(task);
        task.run();
        return task.get();
      }

      @Override
      public T get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException {
        return get();
      }
    };
  }

  /** Ends every pass started and not yet run. */
  void finishAll() {
    List<FutureTask<?>> now = new ArrayList<>(held);
    held.clear();
    now.forEach(FutureTask::run);
  }

  /** Passes started and not yet run. */
  int running() {
    return held.size();
  }

  /** Passes started so far. */
  int started() {
    return started;
  }

  @Override
  public boolean overlaps() {
    return true;
  }

  @Override
  public void close() {
    held.clear();
  }
}
