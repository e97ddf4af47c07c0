package io.aepstreams.streams.cli;

import io.aepstreams.model.bundle.BundleException;
import io.aepstreams.model.data.DatasetException;
import java.io.PrintWriter;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code ./aep <command>}: the streaming application. */
@Command(name = "aep", mixinStandardHelpOptions = true, version = "AEP Streams 0.1.0",
    description = "Early-exit image classification on Kafka Streams (AEP models, arXiv 2301.12168). "
        + "Offline training: ./aep trainer --help",
    subcommands = {RunCommand.class, ProduceCommand.class, TopicsCommand.class, OffsetsCommand.class,
        SchemaCommand.class, ThresholdsCommand.class,
        CommandLine.HelpCommand.class})
public final class AepCli {

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** User mistakes (bad flags, missing files, bad settings) get one line and exit code 2, no stack trace. */
  public static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new AepCli());
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      if (e instanceof KafkaException && e.getCause() instanceof ConfigException config) {
        // A Kafka client refused a setting as it was being built: still a user mistake, said in one line.
        commandLine.getErr().println("error: " + config.getMessage());
        return 2;
      }
      if (e instanceof IllegalArgumentException || e instanceof IllegalStateException
          || e instanceof DatasetException || e instanceof BundleException || e instanceof ConfigException) {
        PrintWriter err = commandLine.getErr();
        err.println("error: " + e.getMessage());
        return 2;
      }
      throw e;
    });
    return cli;
  }
}
