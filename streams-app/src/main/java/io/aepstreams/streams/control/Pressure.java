package io.aepstreams.streams.control;

/**
 * How long images are expected to wait before a stage range of the deployment takes them, at its worst: the
 * input lag of each range over the rate it drains at, or how long it has not moved when it has stopped with images
 * waiting. {@code where} says which range, in words.
 */
public record Pressure(double waitMs, String where) {
  public static final Pressure NONE = new Pressure(0, "no lag");

  public static Pressure worst(Pressure a, Pressure b) {
    return a.waitMs() >= b.waitMs() ? a : b;
  }
}
