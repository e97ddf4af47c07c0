package io.aepstreams.demo.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackboneTableTest {
  @TempDir Path dir;

  private static BenchReport report(String name, BenchReport.Crossing crossing) {
    BenchReport.EarlyExit exit = new BenchReport.EarlyExit(32, 0.4, 0.6, 0.5, 0.8, 900, 0.4, 0.7, 0.9, 0.9, 0,
        List.of(new BenchReport.GainRound(700, 500, 0.4)), 0.4, 0.4, null);
    return new BenchReport(new BenchReport.Machine(2, "cpu", 8, "os", "jvm", "engine", "today"),
        new BenchReport.ModelInfo(name, "v", 4, List.of(1, 4), Map.of(1, 0.9), "MAX_SOFTMAX", 1000),
        new BenchReport.Settings(List.of(32), 5, 100, 100, 1, 0.5, 1, 0, 0.75, 2, Map.of(),
            List.of(0.5), 1, "in the benchmark's JVM", 1, 2, false),
        List.of(new BenchReport.RawRow(32, 1000, 800, 1, 0.9, 0.9, 600, 1000, null, null)),
        List.of(new BenchReport.PipelineRow(32, 700, 2, 20, 0.7, Map.of(), Map.of(1, 20.0), 600, 0.5)), exit,
        List.of(new BenchReport.LatencyRow(32, "single", new BrokerRuns.Latency(350, 100, 10, 40, 50, 20, 61, 70), 0.5,
                700.0),
            new BenchReport.LatencyRow(32, "split 1-1 + 2-4", new BrokerRuns.Latency(350, 100, 10, 50, 60, 30, 92,
                99), 0.5, 700.0)),
        null, List.of(), List.of(new BenchReport.StageRow(1, 10, 300_000_000L, 0.6),
            new BenchReport.StageRow(2, 20, 1_700_000_000L, 0.4)),
        crossing, null);
  }

  @Test
  void oneRowPerBackboneWithTheBytesCrossingAgainstTheImage() throws Exception {
    BenchReport.Crossing crossing = new BenchReport.Crossing(200, 784, 517, 12288, 3724, List.of(
        new BenchReport.SplitPoint(1, List.of(24L, 8L, 8L), 6278, 0.4, 0.4 * 6278, 300, 700, null)));
    Path bench = dir.resolve("bench.json");
    new ObjectMapper().writeValue(bench.toFile(), report("net-a", crossing));
    List<BenchReport> read = BackboneTable.read(List.of(dir));
    assertEquals("net-a", read.get(0).model().name());
    String md = BackboneTable.markdown(read);
    assertTrue(md.contains("| net-a | 300.0 M, 1.70 G |"), md);
    assertTrue(md.contains("| 60%, 40% |"), md);
    assertTrue(md.contains("| 700 (batch 32) | 61 ms / 92 ms |"), md);
    assertTrue(md.contains("| 12,288 / 3,724 | 6,278 (0.5x) | 2,511 |"), md);
    BackboneTable.plot(read, dir.resolve("crossing"));
    assertTrue(Files.size(dir.resolve("crossing.png")) > 0);
  }

  @Test
  void aBenchFromBeforeTheCrossingFiguresIsRefusedWithWhatToDo() throws Exception {
    Path bench = dir.resolve("old.json");
    new ObjectMapper().writeValue(bench.toFile(), report("old", null));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> BackboneTable.read(List.of(bench)));
    assertTrue(e.getMessage().contains("run ./aep bench again"), e.getMessage());
  }
}
