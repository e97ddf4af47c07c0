package io.aepstreams.streams.cli;

import io.aepstreams.model.bundle.ModelBundle;
import io.aepstreams.streams.config.AppConfig;
import io.aepstreams.streams.redeploy.Deployment;
import io.aepstreams.streams.redeploy.OffsetsCopy;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "offsets", mixinStandardHelpOptions = true,
    description = {"Moves a stopped deployment's position to a new split of its stages, so that changing the split "
        + "neither repeats nor loses an image (deploy/README.md, \"Changing the split\").",
        "Settings as for run: --config, AEP_CONFIG_* variables, --set."},
    subcommands = {OffsetsCommand.Copy.class})
final class OffsetsCommand {

  @Command(name = "copy", mixinStandardHelpOptions = true,
      description = {"Seeds the consumer groups of the new stage ranges from the old ones, and sends the images the "
          + "old groups left waiting for a batch to the new ranges, in one transaction. Every instance of both "
          + "deployments must be stopped; an old range no new range continues must have drained.",
          "Exit code 0 when copied (or already copied), 1 when something stops it (said, nothing changed)."})
  static final class Copy implements Callable<Integer> {
    @Mixin
    SettingsOptions options;

    @Spec
    CommandSpec spec;

    @Option(names = "--from", required = true, description = "The stopped deployment's stage ranges: 1-4, or 1,2-4.")
    String from;

    @Option(names = "--to", required = true, description = "The new deployment's stage ranges.")
    String to;

    @Option(names = "--dry-run", description = "Say what would be done; change nothing.")
    boolean dryRun;

    @Override
    public Integer call() {
      Deployment old = Deployment.parse(from);
      Deployment next = Deployment.parse(to);
      AppConfig config = AppConfig.from(options.settings());
      OffsetsCopy copy = new OffsetsCopy(config, ModelBundle.open(config.model()).manifest());
      OffsetsCopy.Plan plan = copy.plan(old, next);
      PrintWriter out = spec.commandLine().getOut();
      plan.print(out);
      if (!plan.problems().isEmpty()) {
        out.println(plan.problems().size() + " problem(s): nothing changed");
        return 1;
      }
      if (plan.alreadyDone()) {
        return 0;
      }
      if (plan.seeds().isEmpty() && plan.carried().isEmpty()) {
        out.println("nothing to copy: the two deployments have the same stage ranges");
        return 0;
      }
      if (dryRun) {
        out.println("dry run: nothing changed");
        return 0;
      }
      copy.apply(plan);
      out.println("copied: start the instances of " + next);
      out.flush();
      return 0;
    }
  }
}
