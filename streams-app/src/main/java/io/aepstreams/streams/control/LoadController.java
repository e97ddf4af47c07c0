package io.aepstreams.streams.control;

import io.aepstreams.model.policy.OperatingPoint;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Decides, from the load, which operating point should be in force: the rule, without Kafka, so that tests drive it
 * with made-up lag. Pressure is the longest an image is expected to wait before a stage range takes it
 * ({@link Pressure}); against the latency objective:
 *
 * <ul>
 *   <li>above the objective: straight to the cheapest point allowed (a burst does not wait for one step a tick);
 *   <li>above {@link #HIGH} of it: one point cheaper, at most once per interval;
 *   <li>below {@link #LOW} of it for {@link #CALM_INTERVALS} intervals in a row: one point back towards the
 *       operator's, then the calm count starts again (hysteresis: the band between the two holds, so the point does
 *       not flap at the edge);
 * </ul>
 *
 * A queue that clears at a cheaper point during an overload (a range getting more images than it took when the
 * controller stepped down) has cleared because of that point: the controller steps back only once the offered load
 * has fallen below {@link #RELIEF} of what it was, or it would step back, see the queue grow again and step down,
 * over and over while the burst lasts. A step down for a queue without an overload (a stalled deep range) needs
 * the calm alone.
 *
 * Cheaper means a point with fewer expected MACs; the controller never sets a point whose budget is above the
 * ceiling, nor one more accurate than the operator's (the base point).
 */
public final class LoadController {
  /** Above this share of the objective, step to a cheaper point. */
  public static final double HIGH = 0.5;
  /** Below this share of the objective for a while, step back. */
  public static final double LOW = 0.2;
  /** How many intervals in a row the load must stay low before each step back. */
  public static final int CALM_INTERVALS = 5;
  /** After an overload, the share of its offered load the load must fall below before a step back. */
  public static final double RELIEF = 0.8;

  private final List<OperatingPoint> ladder;
  private final double ceilingPoints;
  private final long latencyMs;
  private final long intervalMs;
  private long lastChangeMs = Long.MIN_VALUE / 2;
  private long calmSinceMs = -1;
  /** The offered load when the controller last stepped down for an overload; NaN when the step was for a queue. */
  private double overloadAt = Double.NaN;

  /** What the controller wants: a point, and why in words. */
  public record Step(int point, String reason) {}

  public LoadController(List<OperatingPoint> ladder, double ceilingPoints, long latencyMs, long intervalMs) {
    if (ladder.isEmpty()) {
      throw new IllegalArgumentException("the bundle has no operating points to move along: calibrate it first");
    }
    this.ladder = List.copyOf(ladder);
    this.ceilingPoints = ceilingPoints;
    this.latencyMs = latencyMs;
    this.intervalMs = intervalMs;
  }

  /** The cheapest point the controller may set from {@code base}: the ceiling's, or the base's if that is above it. */
  public int cheapestAllowed(int base) {
    int cheapest = base;
    for (OperatingPoint p : ladder) {
      if (p.index() > cheapest && p.budgetPoints() <= ceilingPoints + 1e-9
          && p.expectedMacs() < ladder.get(cheapest).expectedMacs()) {
        cheapest = p.index();
      }
    }
    return cheapest;
  }

  /**
   * The point to set now, or empty to leave {@code current} in force.
   *
   * @param current the point in force (its place in the ladder; -1 outside it, where the controller does nothing)
   * @param base the operator's point
   */
  public Optional<Step> decide(Pressure pressure, int current, int base, long nowMs) {
    if (current < 0 || base < 0) {
      return Optional.empty();
    }
    double share = pressure.waitMs() / latencyMs;
    int cheapest = cheapestAllowed(base);
    if (share > HIGH) {
      calmSinceMs = -1;
      if (current >= cheapest || nowMs - lastChangeMs < intervalMs && share <= 1) {
        return Optional.empty();
      }
      int next = share > 1 ? cheapest : cheaper(current, cheapest);
      if (pressure.overloaded() && !Double.isNaN(pressure.offeredPerSecond())) {
        overloadAt = Double.isNaN(overloadAt) ? pressure.offeredPerSecond()
            : Math.max(overloadAt, pressure.offeredPerSecond());
      }
      return changed(next, nowMs, String.format(Locale.ROOT, "%s: images wait about %.0f ms, %.0f%% of the %d ms "
          + "objective%s", pressure.where(), pressure.waitMs(), share * 100, latencyMs, pressure.overloaded()
          ? String.format(Locale.ROOT, "; overloaded at %.0f images/s offered", pressure.offeredPerSecond()) : ""));
    }
    if (share < LOW && current > base) {
      if (!Double.isNaN(overloadAt) && !(pressure.offeredPerSecond() < RELIEF * overloadAt)) {
        calmSinceMs = -1; // calm only because of the cheaper point: the load that made it needed is still there
        return Optional.empty();
      }
      if (calmSinceMs < 0) {
        calmSinceMs = nowMs;
      }
      if (nowMs - calmSinceMs >= CALM_INTERVALS * intervalMs && nowMs - lastChangeMs >= CALM_INTERVALS * intervalMs) {
        calmSinceMs = nowMs;
        int back = dearer(current, base);
        if (back == base) {
          overloadAt = Double.NaN;
        }
        return changed(back, nowMs, String.format(Locale.ROOT, "load cleared: images wait about %.0f ms, under "
            + "%.0f%% of the %d ms objective for %.1f s%s", pressure.waitMs(), LOW * 100, latencyMs,
            CALM_INTERVALS * intervalMs / 1000.0, Double.isNaN(pressure.offeredPerSecond()) ? ""
                : String.format(Locale.ROOT, ", %.0f images/s offered", pressure.offeredPerSecond())));
      }
      return Optional.empty();
    }
    calmSinceMs = -1;
    if (current > cheapest) {
      // the ceiling (or the operator's point) moved under the point in force: go back within it
      return changed(cheapest, nowMs, "the point in force is past the ceiling of " + ceilingPoints + " points");
    }
    return Optional.empty();
  }

  private Optional<Step> changed(int point, long nowMs, String reason) {
    lastChangeMs = nowMs;
    return Optional.of(new Step(point, reason));
  }

  /** The next point after {@code current} with fewer expected MACs, not past {@code cheapest}. */
  private int cheaper(int current, int cheapest) {
    for (int i = current + 1; i <= cheapest; i++) {
      if (ladder.get(i).expectedMacs() < ladder.get(current).expectedMacs()) {
        return i;
      }
    }
    return cheapest;
  }

  /** The nearest point before {@code current} with more expected MACs, not before {@code base}. */
  private int dearer(int current, int base) {
    for (int i = current - 1; i > base; i--) {
      if (ladder.get(i).expectedMacs() > ladder.get(current).expectedMacs()) {
        return i;
      }
    }
    return base;
  }
}
