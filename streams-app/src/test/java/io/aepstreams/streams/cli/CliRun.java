package io.aepstreams.streams.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** One command line run in-process: its exit code and what it printed to stderr and stdout. */
public record CliRun(int exit, String err, String out) {
  public static CliRun of(CommandLine cli, String... args) {
    StringWriter err = new StringWriter();
    StringWriter out = new StringWriter();
    cli.setErr(new PrintWriter(err));
    cli.setOut(new PrintWriter(out));
    return new CliRun(cli.execute(args), err.toString(), out.toString());
  }
}
