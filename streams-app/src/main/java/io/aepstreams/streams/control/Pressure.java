package io.aepstreams.streams.control;

/**
 * How long images are expected to wait before a stage range of the deployment takes them, at its worst: the
 * input lag of each range over the rate it drains at, or how long it has not moved when it has stopped with images
 * waiting. {@code where} says which range, in words. Beside it, the offered load (images arriving on the
 * pipeline's input per second; NaN when not seen) and whether any range that works gets more than it takes: an
 * overload, as against a queue left by a stall.
 */
public record Pressure(double waitMs, String where, double offeredPerSecond, boolean overloaded) {
  public static final Pressure NONE = new Pressure(0, "no lag");

  public Pressure(double waitMs, String where) {
    this(waitMs, where, Double.NaN, false);
  }

  /** The worse of two waits; the offered load either saw; overloaded if either is. */
  public static Pressure worst(Pressure a, Pressure b) {
    Pressure worse = a.waitMs() >= b.waitMs() ? a : b;
    Pressure other = worse == a ? b : a;
    return new Pressure(worse.waitMs(), worse.where(), Double.isNaN(worse.offeredPerSecond())
        ? other.offeredPerSecond() : worse.offeredPerSecond(), a.overloaded() || b.overloaded());
  }
}
