package io.aepstreams.streams.cli;

import io.aepstreams.model.bundle.ModelBundle;
import io.aepstreams.streams.config.AppConfig;
import io.aepstreams.streams.topics.TopicAdmin;
import io.aepstreams.streams.topics.TopicNeed;
import io.aepstreams.streams.topics.TopicPlan;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "topics", mixinStandardHelpOptions = true,
    description = {"Checks or creates the pipeline's topics: the images, the results, the dead-letter queue, the "
        + "control topic (compacted, one partition) and one hand-off topic per split point of the model "
        + "(aep.stage-2 .. aep.stage-N), with one partition count for all and a max.message.bytes that fits each "
        + "topic's largest record (hand-off sizes come from the model bundle).",
        "Settings as for run: --config, AEP_CONFIG_* variables, --set."},
    subcommands = {TopicsCommand.Check.class, TopicsCommand.Create.class})
final class TopicsCommand {

  @Command(name = "check", mixinStandardHelpOptions = true,
      description = "Lists each topic and what is wrong with it; exit code 1 when anything is.")
  static final class Check implements Callable<Integer> {
    @Mixin
    SettingsOptions options;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
      AppConfig config = AppConfig.from(options.settings());
      List<TopicNeed> needs = TopicPlan.all(config, ModelBundle.open(config.model()).manifest());
      try (TopicAdmin admin = TopicAdmin.connect(config.kafka())) {
        List<TopicAdmin.TopicState> states = admin.describe(needs);
        PrintWriter out = spec.commandLine().getOut();
        print(states, out);
        List<TopicAdmin.Problem> problems = TopicAdmin.problems(states);
        problems.forEach(problem -> out.println("problem: " + problem));
        out.println(problems.isEmpty() ? "all topics ready"
            : problems.size() + " problem(s): ./aep topics create fixes missing topics and small max.message.bytes");
        return problems.isEmpty() ? 0 : 1;
      }
    }
  }

  @Command(name = "create", mixinStandardHelpOptions = true,
      description = "Creates the missing topics and raises max.message.bytes where it is too small; existing "
          + "topics keep their partitions.")
  static final class Create implements Callable<Integer> {
    @Mixin
    SettingsOptions options;

    @Spec
    CommandSpec spec;

    @Option(names = "--partitions", description = "Partitions for every new topic (default: the images topic's, "
        + "when it exists; required otherwise). At most this many instances share a stage range's work.")
    Integer partitions;

    @Option(names = "--replication-factor", description = "Replicas of each new topic (default: the broker's "
        + "default.replication.factor).")
    Short replicationFactor;

    @Override
    public Integer call() {
      if (partitions != null && partitions < 1 || replicationFactor != null && replicationFactor < 1) {
        throw new IllegalArgumentException("--partitions and --replication-factor must be at least 1");
      }
      AppConfig config = AppConfig.from(options.settings());
      List<TopicNeed> needs = TopicPlan.all(config, ModelBundle.open(config.model()).manifest());
      try (TopicAdmin admin = TopicAdmin.connect(config.kafka())) {
        Optional<Integer> shared = TopicAdmin.sharedPartitions(admin.describe(needs));
        if (shared.isPresent() && partitions != null && !shared.get().equals(partitions)) {
          throw new IllegalArgumentException("--partitions " + partitions + " differs from the " + shared.get()
              + " partitions the existing topics have; every pipeline topic needs the same count");
        }
        int count = shared.or(() -> Optional.ofNullable(partitions)).orElseThrow(() ->
            new IllegalArgumentException("--partitions is required: no pipeline topic exists yet to take it from"));
        List<TopicAdmin.Problem> left = admin.create(needs, count, Optional.ofNullable(replicationFactor));
        PrintWriter out = spec.commandLine().getOut();
        print(admin.describe(needs), out);
        left.forEach(problem -> out.println("problem: " + problem));
        out.println(left.isEmpty() ? "all topics ready" : left.size() + " problem(s) left to fix by hand");
        return left.isEmpty() ? 0 : 1;
      }
    }
  }

  static void print(List<TopicAdmin.TopicState> states, PrintWriter out) {
    out.printf(Locale.ROOT, "%-28s %10s %18s %18s  %s%n", "topic", "partitions", "max.message.bytes", "needed",
        "carries");
    for (TopicAdmin.TopicState state : states) {
      out.printf(Locale.ROOT, "%-28s %10s %18s %,18d  %s%n", state.need().name(),
          state.partitions().map(String::valueOf).orElse("missing"),
          state.exists() ? String.format(Locale.ROOT, "%,d", state.maxMessageBytes()) : "-",
          state.need().maxMessageBytes(), state.need().carries());
    }
  }
}
