package io.aepstreams.demo.cli;

import io.aepstreams.demo.plan.AgreementTable;
import io.aepstreams.demo.plan.PlanReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "plan-table", mixinStandardHelpOptions = true,
    description = "The agreement of each hand-off encoding with float32 for every backbone and split point, from "
        + "./aep plan runs, and the smallest encoding that keeps the decisions everywhere; writes agreement.md.")
final class PlanTableCommand implements Callable<Integer> {
  @Parameters(arity = "1..*", paramLabel = "PLAN", description = "plan.json files, or the folders holding them.")
  List<Path> plans;

  @Option(names = "--out", description = "Folder for agreement.md (default: ${DEFAULT-VALUE}).")
  Path out = Path.of("runs", "plan-table");

  @Override
  public Integer call() throws Exception {
    List<PlanReport.Report> reports = AgreementTable.read(plans);
    Files.createDirectories(out);
    String md = AgreementTable.markdown(reports);
    Files.writeString(out.resolve("agreement.md"), md);
    System.out.print(md);
    System.out.println("written: " + out.resolve("agreement.md"));
    return 0;
  }
}
