package io.aepstreams.demo.cli;

import io.aepstreams.streams.cli.AepCli;
import picocli.CommandLine;

/**
 * What {@code ./aep} runs from a checkout: the production commands ({@link AepCli}) plus {@code demo} and
 * {@code bench}, which start a broker inside the JVM and so stay out of the production distribution.
 */
public final class DemoCli {
  private DemoCli() {}

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  public static CommandLine commandLine() {
    CommandLine cli = AepCli.commandLine();
    cli.addSubcommand("demo", new DemoCommand());
    cli.addSubcommand("bench", new BenchCommand());
    cli.addSubcommand("bench-table", new BenchTableCommand());
    cli.addSubcommand("bench-burst", new BurstCommand());
    cli.addSubcommand("bench-burst-table", new BurstTableCommand());
    cli.addSubcommand("plan", new PlanCommand());
    cli.addSubcommand("plan-table", new PlanTableCommand());
    return cli;
  }
}
