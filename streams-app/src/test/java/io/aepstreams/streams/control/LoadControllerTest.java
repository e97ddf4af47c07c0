package io.aepstreams.streams.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aepstreams.model.policy.OperatingPoint;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The load controller's rule, driven by injected lag on a made-up clock. */
class LoadControllerTest {
  /** Budgets 0, 0.25, 0.5, 1, 2, 3 points; each cheaper than the one before. */
  static final List<OperatingPoint> LADDER = ladder(new double[] {0, 0.25, 0.5, 1, 2, 3});
  static final long SLO_MS = 200;
  static final long INTERVAL_MS = 1000;

  static List<OperatingPoint> ladder(double[] budgets) {
    List<OperatingPoint> points = new ArrayList<>();
    for (int i = 0; i < budgets.length; i++) {
      points.add(new OperatingPoint(i, budgets[i], Map.of(1, 1 - 0.1 * i), 1000 - 100 * i, 0.1 * i, 0.9, 0.9,
          Map.of(), Map.of()));
    }
    return points;
  }

  /** Runs the controller tick by tick over {@code waits} (ms), applying what it decides; returns the points. */
  private static List<Integer> run(LoadController controller, int start, int base, double... waits) {
    return run(controller, start, base, java.util.Arrays.stream(waits).mapToObj(w -> new Pressure(w, "stages 2-4"))
        .toList());
  }

  private static List<Integer> run(LoadController controller, int start, int base, List<Pressure> pressures) {
    List<Integer> points = new ArrayList<>();
    int current = start;
    long now = 0;
    for (Pressure pressure : pressures) {
      now += INTERVAL_MS;
      Optional<LoadController.Step> step = controller.decide(pressure, current, base, now);
      if (step.isPresent()) {
        current = step.get().point();
      }
      points.add(current);
    }
    return points;
  }

  private static double[] repeat(double wait, int times) {
    double[] out = new double[times];
    java.util.Arrays.fill(out, wait);
    return out;
  }

  private static double[] concat(double[]... parts) {
    return java.util.Arrays.stream(parts).flatMapToDouble(java.util.Arrays::stream).toArray();
  }

  @Test
  void stepsDownUnderLagOnePointATickAndNeverPastTheCeiling() {
    LoadController controller = new LoadController(LADDER, 1.0, SLO_MS, INTERVAL_MS);
    // 150 ms is 75% of the objective: one point cheaper per tick, up to point 3 (budget 1.0, the ceiling)
    assertEquals(List.of(1, 2, 3, 3, 3, 3), run(controller, 0, 0, repeat(150, 6)));
  }

  @Test
  void aWaitBeyondTheObjectiveGoesStraightToTheCeiling() {
    LoadController controller = new LoadController(LADDER, 2.0, SLO_MS, INTERVAL_MS);
    assertEquals(List.of(4, 4), run(controller, 0, 0, 900, 900));
  }

  @Test
  void stepsBackAfterTheLoadClearsWithHysteresisAndNotAboveTheOperatorsPoint() {
    LoadController controller = new LoadController(LADDER, 1.0, SLO_MS, INTERVAL_MS);
    List<Integer> points = run(controller, 1, 1, concat(repeat(900, 2), repeat(10, 12)));
    // the burst: straight to point 3; calm from tick 3 on, so 5 s later (tick 8) one point back, 5 s after that
    // the operator's point 1, where it stays
    assertEquals(List.of(3, 3, 3, 3, 3, 3, 3, 2, 2, 2, 2, 2, 1, 1), points);
  }

  @Test
  void theBandBetweenLowAndHighHoldsThePointSoItDoesNotFlap() {
    LoadController controller = new LoadController(LADDER, 3.0, SLO_MS, INTERVAL_MS);
    // 60 ms (30%) is between LOW (20%) and HIGH (50%): neither down nor back up, however long
    List<Integer> points = run(controller, 2, 0, concat(repeat(150, 1), repeat(60, 20)));
    assertEquals(3, points.get(0));
    assertTrue(points.stream().allMatch(p -> p == 3), points.toString());
    // load that alternates between calm and the band never stays calm long enough to step back
    List<Integer> flapping = run(new LoadController(LADDER, 3.0, SLO_MS, INTERVAL_MS), 3, 0,
        10, 10, 10, 60, 10, 10, 10, 10, 60, 10, 10, 10, 10, 60);
    assertTrue(flapping.stream().allMatch(p -> p == 3), flapping.toString());
  }

  @Test
  void anOperatorsPointAboveTheCeilingIsLeftAlone() {
    LoadController controller = new LoadController(LADDER, 1.0, SLO_MS, INTERVAL_MS);
    // the operator chose point 5 (3 points), above the 1-point ceiling: the controller never goes cheaper than it
    assertEquals(List.of(5, 5), run(controller, 5, 5, 900, 900));
  }

  @Test
  void pointsWithTheSameCostAreSkipped() {
    List<OperatingPoint> flat = new ArrayList<>(LADDER);
    OperatingPoint one = flat.get(1);
    // point 2 costs what point 1 costs: a step from 1 goes to 3
    flat.set(2, new OperatingPoint(2, 0.5, one.thresholds(), one.expectedMacs(), one.macsSaved(), 0.9, 0.9, Map.of(),
        Map.of()));
    assertEquals(List.of(3), run(new LoadController(flat, 3.0, SLO_MS, INTERVAL_MS), 1, 0, 150));
  }

  @Test
  void aQueueThatClearsOnlyBecauseOfTheCheaperPointDoesNotBringTheOldPointBack() {
    LoadController controller = new LoadController(LADDER, 2.0, SLO_MS, INTERVAL_MS);
    List<Pressure> pressures = new ArrayList<>();
    // a burst of 600 images/s that the entry cannot keep up with: a queue, and more arriving than it takes
    pressures.add(new Pressure(900, "stages 1-4", 600, true));
    // at point 4 the queue clears, but the 600 images/s still arrive: 20 calm ticks change nothing
    for (int i = 0; i < 20; i++) {
      pressures.add(new Pressure(10, "stages 1-4", 600, false));
    }
    // the burst ends: 150 images/s, below 80% of 600; after 5 calm ticks one point back, 5 more, the next
    for (int i = 0; i < 12; i++) {
      pressures.add(new Pressure(10, "stages 1-4", 150, false));
    }
    List<Integer> points = run(controller, 2, 2, pressures);
    assertEquals(4, points.get(0));
    assertTrue(points.subList(0, 21).stream().allMatch(p -> p == 4), points.toString());
    assertEquals(List.of(4, 4, 4, 4, 4, 3, 3, 3, 3, 3, 2, 2), points.subList(21, 33));
  }

  @Test
  void aStepDownForAStalledRangeComesBackOnCalmAlone() {
    LoadController controller = new LoadController(LADDER, 2.0, SLO_MS, INTERVAL_MS);
    List<Pressure> pressures = new ArrayList<>();
    // a deep range stopped with images waiting, nothing arriving: a queue, no overload
    pressures.add(new Pressure(900, "stages 2-4", 0, false));
    for (int i = 0; i < 6; i++) {
      pressures.add(new Pressure(10, "stages 2-4", 0, false));
    }
    assertEquals(List.of(4, 4, 4, 4, 4, 4, 3), run(controller, 2, 2, pressures));
  }
}
