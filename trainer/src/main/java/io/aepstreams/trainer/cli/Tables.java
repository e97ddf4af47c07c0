package io.aepstreams.trainer.cli;

import io.aepstreams.model.policy.ExitReport;
import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;

/** Plain-text lines the commands print. */
final class Tables {
  private Tables() {}

  static void exitReport(PrintStream out, String split, ExitReport report) {
    out.printf(Locale.ROOT, "%s: accuracy %.2f%% with early exits, %.2f%% for the full ensemble (%+.2f points)%n",
        split, report.accuracy() * 100, report.fullAccuracy() * 100, -report.accuracyDropPoints());
    StringBuilder shares = new StringBuilder();
    for (Map.Entry<Integer, Double> share : report.exitShares().entrySet()) {
      shares.append(String.format(Locale.ROOT, "  exit %d: %.1f%%", share.getKey(), share.getValue() * 100));
    }
    out.println(split + ": images leaving at" + shares);
    out.printf(Locale.ROOT, "%s: MACs per image %,.0f against %,d for every kept stage: %.1f%% saved%n", split,
        report.expectedMacs(), report.fullMacs(), report.macsSaved() * 100);
  }

  /** The ladder of operating points, one line each; the one the bundle starts with marked *. */
  static void operatingPoints(PrintStream out, java.util.List<io.aepstreams.trainer.compare.SchemeResult.Point> points,
      int inForce) {
    out.printf("%-5s %7s %9s %9s %9s %11s  %s%n", "point", "budget", "val acc", "test acc", "test drop",
        "MACs saved", "test exit shares");
    for (io.aepstreams.trainer.compare.SchemeResult.Point p : points) {
      StringBuilder shares = new StringBuilder();
      p.test().exitShares().forEach((stage, share) -> shares.append(String.format(Locale.ROOT, " %d:%.1f%%", stage,
          share * 100)));
      out.printf(Locale.ROOT, "%-5s %7.2f %8.2f%% %8.2f%% %9.2f %10.1f%% %s%n",
          p.index() + (p.index() == inForce ? "*" : ""), p.budgetPoints(),
          p.validation().accuracy() * 100, p.test().accuracy() * 100,
          (p.test().fullAccuracy() - p.test().accuracy()) * 100, p.test().macsSaved() * 100, shares);
    }
  }
}
