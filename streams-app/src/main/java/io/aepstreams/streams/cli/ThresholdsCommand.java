package io.aepstreams.streams.cli;

import io.aepstreams.model.bundle.Manifest;
import io.aepstreams.model.bundle.ModelBundle;
import io.aepstreams.model.policy.OperatingPoint;
import io.aepstreams.records.ExitControl;
import io.aepstreams.records.PointSetter;
import io.aepstreams.streams.config.AppConfig;
import io.aepstreams.streams.control.ControlTopic;
import io.aepstreams.streams.control.PointInForce;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "thresholds", mixinStandardHelpOptions = true,
    description = {"Moves a running deployment along its model's accuracy/compute trade-off: the bundle's operating "
        + "points (calibrated thresholds for a range of accuracy budgets), one of which is in force per model "
        + "version, on the compacted control topic. Instances apply a new point between batches, without a restart.",
        "Settings as for run: --config, AEP_CONFIG_* variables, --set."},
    subcommands = {ThresholdsCommand.Show.class, ThresholdsCommand.Set.class})
final class ThresholdsCommand {

  @Command(name = "show", mixinStandardHelpOptions = true,
      description = "Lists the bundle's operating points and says which is in force, who set it and why.")
  static final class Show implements Callable<Integer> {
    @Mixin
    SettingsOptions options;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
      AppConfig config = AppConfig.from(options.settings());
      Manifest manifest = ModelBundle.open(config.model()).manifest();
      PrintWriter out = spec.commandLine().getOut();
      Optional<ExitControl> newest;
      try (ControlTopic control = new ControlTopic(config)) {
        newest = control.newest(manifest.version());
      }
      Optional<ExitControl> valid = newest.filter(c -> PointInForce.problem(manifest, c).isEmpty());
      int inForce = valid.map(ExitControl::getPoint)
          .orElse(manifest.defaultPoint().map(OperatingPoint::index).orElse(-1));
      out.printf("%s %s: %d operating points (accuracy and exit shares on validation)%n", manifest.name(),
          manifest.version(), manifest.operatingPoints().size());
      out.printf("%-6s %7s %9s %6s %11s  %-28s %s%n", "point", "budget", "accuracy", "drop", "MACs saved",
          "exit shares", "thresholds");
      for (OperatingPoint p : manifest.operatingPoints()) {
        out.printf(Locale.ROOT, "%-6s %7.2f %8.2f%% %6.2f %10.1f%%  %-28s %s%n",
            p.index() + (p.index() == inForce ? " *" : ""), p.budgetPoints(), p.accuracy() * 100,
            p.accuracyDropPoints(), p.macsSaved() * 100, shares(p.exitShares()), thresholds(p.thresholds()));
      }
      if (manifest.operatingPoints().isEmpty()) {
        out.println("(none: the bundle was calibrated before there were points; ./aep trainer calibrate makes them)");
      }
      if (valid.isPresent()) {
        ExitControl c = valid.get();
        out.printf("in force: point %d, set by %s at %s (%s); the controller returns to point %d%n", c.getPoint(),
            c.getSetBy(), c.getSetAt(), c.getReason(), c.getBasePoint());
      } else {
        out.printf("in force: point %d, the bundle's own (no record on %s for this version)%n", inForce,
            config.topics().control());
      }
      if (newest.isPresent() && valid.isEmpty()) {
        out.println("the newest record on " + config.topics().control() + " is refused by the instances: "
            + PointInForce.problem(manifest, newest.get()).orElseThrow());
      }
      out.flush();
      return 0;
    }
  }

  @Command(name = "set", mixinStandardHelpOptions = true,
      description = {"Publishes an operating point for the bundle's model version; every instance serving it applies "
          + "the point from its next batch on. The load controller, where it runs, steps from this point and "
          + "returns to it."})
  static final class Set implements Callable<Integer> {
    @Mixin
    SettingsOptions options;

    @Spec
    CommandSpec spec;

    static final class Choice {
      @Option(names = "--budget", required = true, description = "The point with the largest accuracy budget up to "
          + "this many points below the full ensemble (validation).")
      Double budget;

      @Option(names = "--point", required = true, description = "The point at this place in the ladder (see show).")
      Integer point;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Choice choice;

    @Option(names = "--reason", description = "Why, in words; kept with the record (default: who ran it).")
    String reason;

    @Override
    public Integer call() {
      AppConfig config = AppConfig.from(options.settings());
      Manifest manifest = ModelBundle.open(config.model()).manifest();
      List<OperatingPoint> ladder = manifest.operatingPoints();
      if (ladder.isEmpty()) {
        throw new IllegalArgumentException("bundle " + manifest.name() + " has no operating points (calibrated before "
            + "there were any): run ./aep trainer calibrate on it");
      }
      int index = choice.point != null ? choice.point : byBudget(ladder, choice.budget);
      if (index < 0 || index >= ladder.size()) {
        throw new IllegalArgumentException("--point " + index + " is not one of the bundle's points 0-"
            + (ladder.size() - 1));
      }
      String why = reason != null ? reason : "./aep thresholds set by " + System.getProperty("user.name", "someone");
      ExitControl record = ControlTopic.record(manifest, index, index, PointSetter.OPERATOR, why);
      try (ControlTopic control = new ControlTopic(config)) {
        control.publish(record);
      }
      OperatingPoint p = ladder.get(index);
      PrintWriter out = spec.commandLine().getOut();
      out.printf(Locale.ROOT, "point %d in force for %s %s: budget %.2f points, %.2f%% on validation, %.1f%% of "
          + "the MACs saved, exits %s%n", index, manifest.name(), manifest.version(), p.budgetPoints(),
          p.accuracy() * 100, p.macsSaved() * 100, shares(p.exitShares()));
      out.flush();
      return 0;
    }

    private static int byBudget(List<OperatingPoint> ladder, double budget) {
      if (!(budget >= 0)) {
        throw new IllegalArgumentException("--budget must be zero or more points, got " + budget);
      }
      int best = -1;
      for (OperatingPoint p : ladder) {
        if (p.budgetPoints() <= budget + 1e-9 && (best < 0 || p.budgetPoints() > ladder.get(best).budgetPoints())) {
          best = p.index();
        }
      }
      if (best < 0) {
        throw new IllegalArgumentException("no point has a budget of " + budget + " points or less; budgets: "
            + ladder.stream().map(p -> String.valueOf(p.budgetPoints())).collect(Collectors.joining(", ")));
      }
      return best;
    }
  }

  static String shares(Map<Integer, Double> shares) {
    return shares.entrySet().stream().map(e -> String.format(Locale.ROOT, "%d:%.0f%%", e.getKey(),
        e.getValue() * 100)).collect(Collectors.joining(" "));
  }

  private static String thresholds(Map<Integer, Double> thresholds) {
    return thresholds.isEmpty() ? "none (every kept stage)" : thresholds.entrySet().stream()
        .map(e -> String.format(Locale.ROOT, "%d:%.4f", e.getKey(), e.getValue())).collect(Collectors.joining(" "));
  }
}
