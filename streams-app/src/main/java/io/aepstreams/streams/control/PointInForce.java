package io.aepstreams.streams.control;

import io.aepstreams.model.bundle.Manifest;
import io.aepstreams.model.policy.ExitPolicy;
import io.aepstreams.model.policy.OperatingPoint;
import io.aepstreams.records.ExitControl;
import io.aepstreams.records.OperatingPointRef;
import io.aepstreams.records.PointSetter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Metrics;
import java.util.List;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * The exit thresholds an instance decides with now: one of its bundle's operating points, changed while the
 * stream runs by records on the control topic ({@link ControlUpdates}). Every stage reads it once per batch, so a
 * batch is decided by one point and a change takes effect at the next batch. Shared by every task of the instance.
 *
 * <p>A record for another model version is not for this instance; a record that names a point the bundle does not
 * have, or gives a budget that is not that point's, is refused, and the point in force stays.
 */
public final class PointInForce {
  /** What a batch is decided with: the point's place in the ladder (-1 outside it), its policy and its tag. */
  public record Applied(int index, ExitPolicy policy, OperatingPointRef tag, int basePoint) {}

  private final Manifest manifest;
  private final List<OperatingPoint> ladder;
  /** Thresholds given by the aep.policy setting: the control topic does not move them. */
  private final boolean pinned;
  private final LongSupplier clock;
  private volatile Applied current;
  private final long[] nanosAt;
  private long since;

  private PointInForce(Manifest manifest, Optional<ExitPolicy> setting, LongSupplier clock) {
    this.manifest = manifest;
    this.ladder = manifest.operatingPoints();
    this.pinned = setting.isPresent();
    this.clock = clock;
    this.nanosAt = new long[ladder.size()];
    this.since = clock.getAsLong();
    if (setting.isPresent()) {
      current = new Applied(-1, setting.get(), tag(-1, Double.NaN, PointSetter.SETTING), -1);
    } else {
      int start = manifest.defaultPoint().map(OperatingPoint::index).orElse(-1);
      current = new Applied(start, manifest.policy(), tag(start, start < 0 ? Double.NaN
          : ladder.get(start).budgetPoints(), PointSetter.BUNDLE), start);
    }
  }

  /**
   * Where an instance of {@code manifest} starts: the bundle's own point, or the thresholds {@code setting} gives
   * ({@code aep.policy}), which then stay.
   */
  public static PointInForce of(Manifest manifest, Optional<ExitPolicy> setting) {
    return of(manifest, setting, System::nanoTime);
  }

  static PointInForce of(Manifest manifest, Optional<ExitPolicy> setting, LongSupplier nanoClock) {
    return new PointInForce(manifest, setting, nanoClock);
  }

  /** The key of this model's record on the control topic: its version. */
  public String key() {
    return manifest.version();
  }

  public Manifest manifest() {
    return manifest;
  }

  public List<OperatingPoint> ladder() {
    return ladder;
  }

  /**
   * The share of images leaving at each exit at the point in force, as calibrated; empty for thresholds a setting
   * gives, whose shares no calibration measured.
   */
  public java.util.Map<Integer, Double> exitShares() {
    int index = current().index();
    return index >= 0 && index < ladder().size() ? ladder().get(index).exitShares() : java.util.Map.of();
  }

  public Applied current() {
    return current;
  }

  /**
   * Puts {@code control}'s point in force, when it is one of this bundle's. Returns why not, in one line, when it
   * is refused: the point in force then stays.
   */
  public synchronized Optional<String> apply(ExitControl control) {
    Optional<String> problem = problem(manifest, control);
    if (problem.isPresent()) {
      return problem;
    }
    if (pinned) {
      return Optional.of("aep.policy fixes this instance's thresholds; point " + control.getPoint()
          + " is not applied here");
    }
    OperatingPoint point = ladder.get(control.getPoint());
    move(new Applied(point.index(), point.policy(manifest.policy().confidence()),
        tag(point.index(), point.budgetPoints(), control.getSetBy()), control.getBasePoint()));
    return Optional.empty();
  }

  /** Why {@code control} is not a point of {@code manifest}'s ladder, or empty when it is one. */
  public static Optional<String> problem(Manifest manifest, ExitControl control) {
    List<OperatingPoint> ladder = manifest.operatingPoints();
    if (!manifest.version().equals(control.getModelVersion())) {
      return Optional.of("it is for model version " + control.getModelVersion() + ", not " + manifest.version());
    }
    if (ladder.isEmpty()) {
      return Optional.of("bundle " + manifest.name() + " " + manifest.version() + " has no operating points "
          + "(calibrated before there were any: run ./aep trainer calibrate on it)");
    }
    for (int index : new int[] {control.getPoint(), control.getBasePoint()}) {
      if (index < 0 || index >= ladder.size()) {
        return Optional.of("point " + index + " is not one of the bundle's points 0-" + (ladder.size() - 1));
      }
    }
    double budget = ladder.get(control.getPoint()).budgetPoints();
    if (Double.compare(budget, control.getBudgetPoints()) != 0) {
      return Optional.of("point " + control.getPoint() + " has a budget of " + budget + " points in this bundle, "
          + "the record says " + control.getBudgetPoints());
    }
    return Optional.empty();
  }

  private void move(Applied next) {
    long now = clock.getAsLong();
    if (current.index() >= 0) {
      nanosAt[current.index()] += now - since;
    }
    since = now;
    current = next;
  }

  /** Seconds this instance has decided with point {@code index} so far. */
  public synchronized double secondsAt(int index) {
    long nanos = nanosAt[index] + (current.index() == index ? clock.getAsLong() - since : 0);
    return nanos / 1e9;
  }

  /** The point in force, the seconds spent at each point, and the records refused, as meters. */
  public PointInForce withMeters() {
    Gauge.builder("aep.operating.point", this, p -> p.current().index())
        .description("the operating point in force: its place in the bundle's ladder (-1: outside it)")
        .strongReference(true).register(Metrics.globalRegistry);
    Gauge.builder("aep.operating.point.budget", this, p -> p.current().tag().getBudgetPoints())
        .description("accuracy budget of the point in force, points below the full ensemble (validation)")
        .strongReference(true).register(Metrics.globalRegistry);
    for (Integer exit : manifest.exitStages().subList(0, Math.max(0, manifest.exitStages().size() - 1))) {
      Gauge.builder("aep.audit.expected.agreement", this, p -> p.expectedAgreement(exit))
          .description("share of images leaving at each exit whose answer the full ensemble shares, as calibration "
              + "measured it on validation for the point in force (NaN where none leaves there)")
          .tag("exit_stage", String.valueOf(exit)).strongReference(true).register(Metrics.globalRegistry);
    }
    for (OperatingPoint point : ladder) {
      FunctionCounter.builder("aep.operating.point.seconds", this, p -> p.secondsAt(point.index()))
          .tags("point", String.valueOf(point.index()), "budget", String.valueOf(point.budgetPoints()))
          .description("time spent deciding with each operating point").register(Metrics.globalRegistry);
    }
    return this;
  }

  /** What calibration measured of the point in force at {@code exit}: the audit's yardstick. */
  double expectedAgreement(int exit) {
    int index = current.index();
    return index < 0 ? Double.NaN : ladder.get(index).agreement().getOrDefault(exit, Double.NaN);
  }

  static Counter refused() {
    return Metrics.counter("aep.operating.point.refused");
  }

  private static OperatingPointRef tag(int index, double budget, PointSetter setBy) {
    return OperatingPointRef.newBuilder().setIndex(index).setBudgetPoints(budget).setSetBy(setBy).build();
  }
}
