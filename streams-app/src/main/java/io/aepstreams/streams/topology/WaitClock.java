package io.aepstreams.streams.topology;

/**
 * How long the oldest image of a waiting batch has waited: the wall-clock time since it came, with a start that
 * Kafka Streams may hand over stale put right.
 *
 * <p>A processor is given the time its stream thread read when it began its current run of records. A forward pass
 * in that run (a batch that filled, and went on, just before) makes that time stale by the pass: measured from it, a
 * batch started right after a full one had "waited" 20-30 ms before its first image was in, and under a backlog half
 * the first-stage batches of 32 went on after 5 images. So where a pass ran on this thread between the collector's
 * last punctuation and the batch's start, the start is taken as unknown within that gap, and the gap counts one tick
 * at most. Every gap after the start counts in full, whatever the thread did meanwhile: the delay is a bound on the
 * wall-clock time an image waits for its batch.
 */
final class WaitClock {
  private static final ThreadLocal<long[]> PASSES = ThreadLocal.withInitial(() -> new long[1]);

  private final long tickMs;
  private boolean waiting;
  private boolean staleStart;
  private long since;
  private long waited;
  private long lastTick;
  private long passesAtLastTick;

  /** Punctuations every {@code tickMs}; {@code now} is the time the collector starts. */
  WaitClock(long tickMs, long now) {
    this.tickMs = tickMs;
    this.lastTick = now;
    this.passesAtLastTick = passesOnThisThread();
  }

  /** Called by the stage runner after each forward pass, on the stream thread that ran it. */
  static void forwardPassRan() {
    PASSES.get()[0]++;
  }

  private static long passesOnThisThread() {
    return PASSES.get()[0];
  }

  /** The first image of a batch came at {@code cachedNow}: the thread's cached time, stale after a pass. */
  void start(long cachedNow) {
    waiting = true;
    since = cachedNow;
    waited = 0;
    staleStart = passesOnThisThread() != passesAtLastTick;
  }

  /** The batch went on: nothing waits. */
  void stop() {
    waiting = false;
    waited = 0;
  }

  /** At a punctuation at {@code now}: how long the batch has waited (0 when nothing waits). */
  long tick(long now) {
    if (waiting) {
      long gap = Math.max(0, now - Math.max(lastTick, since));
      waited += staleStart ? Math.min(gap, tickMs) : gap;
      staleStart = false;
    }
    lastTick = now;
    passesAtLastTick = passesOnThisThread();
    return waiting ? waited : 0;
  }
}
