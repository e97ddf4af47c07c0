package io.aepstreams.demo.cli;

import io.aepstreams.demo.bench.BackboneTable;
import io.aepstreams.demo.bench.BenchReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "bench-table", mixinStandardHelpOptions = true,
    description = "One row per backbone from ./aep bench runs: MACs per stage, exit shares, throughput, p99, and "
        + "the bytes crossing each split point per image against the image's own; writes backbones.md and "
        + "crossing.png.")
final class BenchTableCommand implements Callable<Integer> {
  @Parameters(arity = "1..*", paramLabel = "BENCH", description = "bench.json files, or the folders holding them.")
  List<Path> benches;

  @Option(names = "--out", description = "Folder for backbones.md and crossing.png (default: ${DEFAULT-VALUE}).")
  Path out = Path.of("runs", "bench-table");

  @Override
  public Integer call() throws Exception {
    for (Path bench : benches) {
      if (!Files.exists(bench)) {
        throw new IllegalArgumentException("no such bench result: " + bench);
      }
    }
    List<BenchReport> reports = BackboneTable.read(benches);
    Files.createDirectories(out);
    String md = BackboneTable.markdown(reports);
    Files.writeString(out.resolve("backbones.md"), md);
    BackboneTable.plot(reports, out.resolve("crossing"));
    System.out.print(md);
    System.out.println("written: " + out.resolve("backbones.md") + ", " + out.resolve("crossing.png"));
    return 0;
  }
}
