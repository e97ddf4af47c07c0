package io.aepstreams.demo.cli;

import io.aepstreams.demo.bench.BurstBench;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "bench-burst-table", mixinStandardHelpOptions = true,
    description = "Writes burst.md and the plots again from a ./aep bench-burst run's burst.json, without running it.")
final class BurstTableCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "BURST", description = "A burst.json, or the folder holding it.")
  Path burst;

  @Option(names = "--out", description = "Folder for burst.json, burst.md and the plots (default: the input's).")
  Path out;

  @Override
  public Integer call() throws Exception {
    Path json = Files.isDirectory(burst) ? burst.resolve("burst.json") : burst;
    if (!Files.isRegularFile(json)) {
      throw new IllegalArgumentException("no burst result at " + burst);
    }
    BurstBench.Report report = BurstBench.read(json);
    Path dir = out != null ? out : json.toAbsolutePath().getParent();
    BurstBench.write(dir, report);
    System.out.print(Files.readString(dir.resolve("burst.md")));
    return 0;
  }
}
