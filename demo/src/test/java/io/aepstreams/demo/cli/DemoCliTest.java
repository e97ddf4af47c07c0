package io.aepstreams.demo.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aepstreams.streams.cli.CliRun;
import org.junit.jupiter.api.Test;

class DemoCliTest {
  private static CliRun run(String... args) {
    return CliRun.of(DemoCli.commandLine(), args);
  }

  @Test
  void theProductionCommandsAndTheDemoOnes() {
    CliRun help = run("--help");
    assertEquals(0, help.exit());
    for (String command : new String[] {"run", "topics", "produce", "schema", "demo", "bench", "plan", "plan-table"}) {
      assertTrue(help.out().contains("  " + command + " "), command + " in " + help.out());
    }
  }

  @Test
  void benchMistakesGetOneLine() {
    CliRun zero = run("bench", "--batch-sizes", "1,0");
    assertEquals(2, zero.exit());
    assertEquals("error: --batch-sizes must be positive numbers, like 1,8,32,64", zero.err().strip());
    CliRun overloaded = run("bench", "--latency-load", "1.5");
    assertEquals(2, overloaded.exit());
    assertEquals("error: --latency-load and --memory-load are shares of the maximum rate: more than 0, at most 1",
        overloaded.err().strip());
    CliRun notNumber = run("bench", "--batch-sizes", "big");
    assertEquals(2, notNumber.exit());
    assertTrue(notNumber.err().startsWith("Invalid value for option '--batch-sizes'"), notNumber.err());
  }

  @Test
  void demoMistakesGetOneLine() {
    CliRun badFlag = run("demo", "--limit", "many");
    assertEquals(2, badFlag.exit());
    assertTrue(badFlag.err().startsWith("Invalid value for option '--limit'"), badFlag.err());
    CliRun negative = run("demo", "--limit", "-1");
    assertEquals(2, negative.exit());
    assertEquals("error: --limit, --rate and --split-after must not be negative; --partitions >= 1",
        negative.err().strip());
  }

  @Test
  void planMistakesGetOneLine() {
    CliRun slow = run("plan", "--link-mbps", "0");
    assertEquals(2, slow.exit());
    assertEquals("error: --images, --batch-size, --timing-passes, --size-sample, --link-mbps and --deep-speedup must "
        + "be positive, --hop-ms zero or more", slow.err().strip());
    CliRun codec = run("plan", "--compression", "brotli");
    assertEquals(2, codec.exit());
    assertEquals("error: --compression must be one of none, lz4, zstd, got 'brotli'", codec.err().strip());
    CliRun missing = run("plan-table", "no/such/plan");
    assertEquals(2, missing.exit());
    assertEquals("error: no plan.json at no/such/plan: run ./aep plan --out there first", missing.err().strip());
  }
}
