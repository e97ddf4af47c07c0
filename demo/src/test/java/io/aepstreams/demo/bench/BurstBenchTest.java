package io.aepstreams.demo.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How a burst run's answers become its report: per second of send time, per phase, per point. */
class BurstBenchTest {
  @Test
  void answersAreSummarisedBySecondSentPhaseAndPoint() {
    long start = 10_000;
    List<BrokerRuns.Answer> answers = new ArrayList<>();
    // second 0: 100 burst images decided 10..109 ms after sending, at point 2, all right
    for (int i = 0; i < 100; i++) {
      answers.add(new BrokerRuns.Answer("burst-" + i, "burst", start + 5, start + 5 + 10 + i, 2, 1.0, 1, true));
    }
    // second 1: 100 more, 1 s late, at point 3, half right
    for (int i = 0; i < 100; i++) {
      answers.add(new BrokerRuns.Answer("burst-" + (100 + i), "burst", start + 1500, start + 2500 + i, 3, 2.0, 1,
          i % 2 == 0));
    }
    // second 2: 10 after images, quick, at point 1
    for (int i = 0; i < 10; i++) {
      answers.add(new BrokerRuns.Answer("after-" + i, "after", start + 2100, start + 2120, 1, 0.5, 4, true));
    }
    BurstBench.Run run = BurstBench.summarise("single", true, 400, 500, 600, 4, new BrokerRuns.Paced(start, answers,
        List.of(new long[] {0, 2}), 0));
    assertEquals(3, run.timeline().size());
    assertEquals(100, run.timeline().get(0).sent());
    assertEquals(108, run.timeline().get(0).p99Ms(), "the 99th of 10..109 ms");
    assertEquals(59, run.timeline().get(0).p50Ms());
    assertEquals(1098, run.timeline().get(1).p99Ms());
    assertEquals(3.0, run.timeline().get(1).meanPoint());
    assertEquals(0.5, run.timeline().get(1).accuracy());
    assertEquals(0.75, run.burstAccuracy());
    assertEquals(1.0, run.afterAccuracy());
    assertEquals(1097, run.burstP99Ms(), "the 198th of the burst's 200");
    assertEquals(20, run.afterP99Ms());
    assertEquals(1098, run.worstSecondP99Ms());
    assertEquals(Map.of(2, 100L, 3, 100L), run.burstImagesPerPoint());
    assertEquals((start + 2599 - (start + 2100)) / 1000.0, run.drainSeconds(), 1e-9);
  }
}
