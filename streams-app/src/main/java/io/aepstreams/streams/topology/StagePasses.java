package io.aepstreams.streams.topology;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Where an instance's forward passes run. {@link #INLINE}: on the stream thread, in the call that completed the
 * batch. {@link #overlapped}: on threads of their own, so that while a pass runs the stream thread goes on polling,
 * decoding, collecting the next batch and committing (docs/design.md §5, "Passes off the stream thread"). Only
 * tensors and the model cross to a pass thread; every store, record and forward stays on the stream thread.
 */
public abstract class StagePasses implements AutoCloseable {
  /** Each pass on the calling thread, before {@link #submit} returns. */
  public static final StagePasses INLINE = new StagePasses() {
    @Override
    <T> Future<T> submit(Callable<T> pass) {
      try {
        return CompletableFuture.completedFuture(pass.call());
      } catch (Exception e) {
        return CompletableFuture.failedFuture(e);
      }
    }

    @Override
    public boolean overlaps() {
      return false;
    }

    @Override
    public void close() {}
  };

  /**
   * Passes on {@code threads} threads of their own ({@code aep-pass-N}; one per stream thread keeps the engine's
   * intra-op threads from competing), first come first run.
   */
  public static StagePasses overlapped(int threads) {
    return new Overlapped(threads);
  }

  /** Starts {@code pass}; its outcome (or failure) is read from the future on the stream thread. */
  abstract <T> Future<T> submit(Callable<T> pass);

  /** Whether a pass may still be running when {@link #submit} returns. */
  public abstract boolean overlaps();

  /** Waits for the passes already started (at most {@code timeout}), then stops the threads. */
  public boolean close(Duration timeout) {
    close();
    return true;
  }

  @Override
  public abstract void close();

  private static final class Overlapped extends StagePasses {
    private final ExecutorService threads;

    Overlapped(int count) {
      if (count < 1) {
        throw new IllegalArgumentException("pass threads must be 1 or more, got " + count);
      }
      AtomicInteger made = new AtomicInteger();
      // daemon threads: a stream thread that never comes back for its pass must not keep the JVM alive
      this.threads = Executors.newFixedThreadPool(count, run -> {
        Thread thread = new Thread(run, "aep-pass-" + made.incrementAndGet());
        thread.setDaemon(true);
        return thread;
      });
    }

    @Override
    <T> Future<T> submit(Callable<T> pass) {
      return threads.submit(pass);
    }

    @Override
    public boolean overlaps() {
      return true;
    }

    @Override
    public boolean close(Duration timeout) {
      threads.shutdown();
      try {
        return threads.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }

    @Override
    public void close() {
      close(Duration.ofSeconds(30));
    }
  }
}
