package io.aepstreams.trainer.cli;

import io.aepstreams.model.TorchEngine;
import io.aepstreams.model.bundle.BundleException;
import io.aepstreams.model.data.DatasetException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code ./aep trainer <command>}: the offline trainer. */
@Command(name = "aep trainer", mixinStandardHelpOptions = true, version = "AEP Streams trainer 0.1.0",
    description = "Trains, prunes, calibrates and compares AEP early-exit models (arXiv 2301.12168).",
    subcommands = {TrainCommand.class, EvaluateCommand.class, PruneCommand.class, CalibrateCommand.class,
        CompareCommand.class, BenchCommand.class, CommandLine.HelpCommand.class})
public final class TrainerCli {

  public static void main(String[] args) {
    TorchEngine.start();
    System.exit(commandLine().execute(args));
  }

  /** The command line with this project's error handling: user mistakes get one line, not a stack trace. */
  public static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new TrainerCli());
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      PrintWriter err = commandLine.getErr();
      if (e instanceof DatasetException || e instanceof BundleException || e instanceof IllegalArgumentException
          || e instanceof UserError) {
        err.println("error: " + e.getMessage());
        return 2;
      }
      throw e;
    });
    return cli;
  }

  /** A mistake in what the user asked for, reported in one line. */
  public static final class UserError extends RuntimeException {
    public UserError(String message) {
      super(message);
    }
  }
}
