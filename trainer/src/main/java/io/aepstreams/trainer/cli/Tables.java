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
}
