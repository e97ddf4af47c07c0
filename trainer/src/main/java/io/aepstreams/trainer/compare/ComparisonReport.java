package io.aepstreams.trainer.compare;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** The paper-style comparison table as Markdown and JSON, with its plots. */
public final class ComparisonReport {
  private ComparisonReport() {}

  /** Writes comparison.md, comparison.json and the PNG plots into {@code dir}. */
  public static void write(Path dir, String title, String command, Map<String, Object> setup,
      List<SchemeResult> results) throws IOException {
    Files.createDirectories(dir);
    Charts.accuracyVsMacs(results, dir.resolve("accuracy-vs-macs.png"));
    Charts.exitAccuracy(results, dir.resolve("exit-accuracy.png"));
    Charts.exitShares(results, dir.resolve("exit-shares.png"));
    Charts.operatingPoints(results.stream().filter(r -> !r.calibration().points().isEmpty())
        .map(r -> new Charts.Curve(r.scheme(), r.calibration().points())).toList(),
        "Operating points: test accuracy against compute", dir.resolve("operating-points.png"));
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("title", title);
    json.put("command", command);
    json.put("setup", setup);
    json.put("results", results);
    Comparison.JSON.writeValue(dir.resolve("comparison.json").toFile(), json);
    Files.writeString(dir.resolve("comparison.md"), markdown(title, command, setup, results));
  }

  static String markdown(String title, String command, Map<String, Object> setup, List<SchemeResult> results) {
    StringBuilder md = new StringBuilder();
    md.append("# ").append(title).append("\n\n");
    md.append("Regenerate with:\n\n```\n").append(command).append("\n```\n\n");
    md.append("Setup: ").append(setup.entrySet().stream().map(e -> e.getKey() + " " + e.getValue())
        .collect(Collectors.joining(", "))).append(".\n\n");
    md.append("Accuracies are top-1 on the test split; pruning and calibration chose on the validation split only. ")
        .append("Params count trainable parameters; MACs are per image; latency is batch 1, the mean of many ")
        .append("passes after warm-ups, on this machine's CPU, with each row's full and pruned networks timed ")
        .append("alternately pass by pass: compare latencies within a row, not across rows.\n\n");

    SchemeResult single = results.stream().filter(r -> r.scheme().equals("SINGLE")).findFirst().orElse(null);
    md.append("## Ensemble and pruning\n\n");
    md.append("| scheme | a | b | epochs (best) | full ensemble | pruned exits | pruned | vs SINGLE | params full → pruned"
        + " | MACs full → pruned | latency ms full → pruned |\n");
    md.append("|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (SchemeResult r : results) {
      String delta = single == null || r == single ? "—"
          : String.format(Locale.ROOT, "%+.2f", (r.prunedTestAccuracy() - single.prunedTestAccuracy()) * 100);
      md.append(String.format(Locale.ROOT, "| %s | %s | %s | %d (%d) | %.2f%% | %s | %.2f%% | %s | %s → %s (%s) | "
              + "%s → %s (%s) | %.3f → %.3f (%s) |\n",
          r.scheme(), weights(r.a()), weights(r.b()), r.epochsRun(), r.bestEpoch(), r.testEnsembleAccuracy() * 100,
          set(r.chosenSubset()), r.prunedTestAccuracy() * 100, delta,
          count(r.full().params()), count(r.pruned().params()), change(r.full().params(), r.pruned().params()),
          count(r.full().macs()), count(r.pruned().macs()), change(r.full().macs(), r.pruned().macs()),
          r.full().latencyMs(), r.pruned().latencyMs(), change(r.full().latencyMs(), r.pruned().latencyMs())));
    }
    md.append("\n`vs SINGLE` is the pruned model's test accuracy minus the SINGLE baseline's, in points.\n\n");

    md.append("## Each exit on its own (test)\n\n| scheme | exit 1 | exit 2 | exit 3 | exit 4 | ensemble of all |\n")
        .append("|---|---|---|---|---|---|\n");
    for (SchemeResult r : results) {
      md.append("| ").append(r.scheme());
      for (int stage = 1; stage <= 4; stage++) {
        int position = r.trainedExits().indexOf(stage);
        md.append(" | ").append(position < 0 ? "—"
            : String.format(Locale.ROOT, "%.2f%%", r.testExitAccuracies().get(position) * 100));
      }
      md.append(String.format(Locale.ROOT, " | %.2f%% |\n", r.testEnsembleAccuracy() * 100));
    }

    for (int i = 0; i < results.size(); i++) {
      for (int j = i + 1; j < results.size(); j++) {
        if (results.get(i).a().equals(results.get(j).a())) {
          md.append("\n").append(results.get(i).scheme()).append(" and ").append(results.get(j).scheme())
              .append(" have the same loss weights a, so with the same seed they train the same network (same ")
              .append("exits, same curves); only their output weights b, and so their ensembles, differ.\n");
        }
      }
    }

    md.append("\n## Early exits after calibration\n\n");
    md.append("Thresholds on the partial ensemble's confidence, chosen on validation for the lowest expected MACs ")
        .append("within the stated accuracy drop of the pruned model's full ensemble; measured on test.\n\n");
    md.append("| scheme | confidence | thresholds | test accuracy | full ensemble | drop (points) | "
        + "leaving at exit 1 / 2 / 3 / 4 | MACs per image | MACs saved |\n|---|---|---|---|---|---|---|---|---|\n");
    for (SchemeResult r : results) {
      SchemeResult.Outcome t = r.calibration().test();
      List<String> shares = new ArrayList<>();
      for (int stage = 1; stage <= 4; stage++) {
        Double share = t.exitShares().get(stage);
        shares.add(share == null ? "—" : String.format(Locale.ROOT, "%.1f%%", share * 100));
      }
      md.append(String.format(Locale.ROOT, "| %s | %s ≤ %.1f pt | %s | %.2f%% | %.2f%% | %.2f | %s | %s of %s | %.1f%% |\n",
          r.scheme(), r.calibration().confidence(), r.calibration().maxAccuracyDropPoints(),
          r.calibration().thresholds().isEmpty() ? "none" : r.calibration().thresholds().entrySet().stream()
              .map(e -> String.format(Locale.ROOT, "t%d=%.4f", e.getKey(), e.getValue()))
              .collect(Collectors.joining(" ")),
          t.accuracy() * 100, t.fullAccuracy() * 100, (t.fullAccuracy() - t.accuracy()) * 100,
          String.join(" / ", shares), count(Math.round(t.expectedMacs())), count(t.fullMacs()), t.macsSaved() * 100));
    }

    md.append("\n## Every exit subset\n\nValidation accuracy picks the subset; test accuracy is shown beside it.\n\n");
    for (SchemeResult r : results) {
      md.append("<details><summary>").append(r.scheme()).append(" (").append(r.subsets().size())
          .append(" subsets)</summary>\n\n| exits | validation | test | params | MACs |\n|---|---|---|---|---|\n");
      for (SchemeResult.SubsetResult s : r.subsets()) {
        md.append(String.format(Locale.ROOT, "| %s | %.2f%% | %.2f%% | %s | %s |\n", set(s.exits()),
            s.validationAccuracy() * 100, s.testAccuracy() * 100, count(s.params()), count(s.macs())));
      }
      md.append("\n</details>\n\n");
    }

    md.append(ranking(results));

    md.append("## Training\n\n| scheme | epoch | train loss | val loss | val ensemble | images/s |\n|---|---|---|---|---|---|\n");
    for (SchemeResult r : results) {
      r.history().forEach(h -> md.append(String.format(Locale.ROOT, "| %s | %d | %.4f | %.4f | %.2f%% | %.0f |\n",
          r.scheme(), h.epoch(), h.trainLoss(), h.validationLoss(), h.ensembleAccuracy() * 100,
          h.imagesPerSecond())));
    }

    md.append("\n## Plots\n\n![accuracy against MACs](accuracy-vs-macs.png)\n\n")
        .append("![accuracy per exit](exit-accuracy.png)\n\n![exits per stage](exit-shares.png)\n");
    return md.toString();
  }

  /**
   * The schemes ranked after each epoch by the best validation ensemble accuracy so far (the checkpoint each would
   * keep): if the order stops changing well before the last epoch, more epochs would not change the comparison.
   */
  static String ranking(List<SchemeResult> results) {
    int epochs = results.stream().mapToInt(r -> r.history().size()).max().orElse(0);
    StringBuilder md = new StringBuilder("## Is the ranking stable?\n\nSchemes ordered by the best validation "
        + "ensemble accuracy reached so far, after each epoch.\n\n| epoch | ranking |\n|---|---|\n");
    for (int epoch = 1; epoch <= epochs; epoch++) {
      int e = epoch;
      List<Map.Entry<String, Double>> best = new ArrayList<>();
      for (SchemeResult r : results) {
        double value = r.history().stream().filter(h -> h.epoch() <= e)
            .mapToDouble(h -> h.ensembleAccuracy()).max().orElse(0);
        best.add(Map.entry(r.scheme(), value));
      }
      best.sort(Map.Entry.<String, Double>comparingByValue().reversed());
      md.append("| ").append(epoch).append(" | ").append(best.stream().map(b -> String.format(Locale.ROOT,
          "%s %.2f%%", b.getKey(), b.getValue() * 100)).collect(Collectors.joining(" > "))).append(" |\n");
    }
    return md.append("\n").toString();
  }

  private static String weights(List<Double> w) {
    return w.stream().map(v -> String.format(Locale.ROOT, "%.4g", v)).collect(Collectors.joining(", "));
  }

  private static String set(List<Integer> exits) {
    return exits.stream().map(String::valueOf).collect(Collectors.joining(",", "{", "}"));
  }

  static String count(long n) {
    if (n >= 1_000_000) {
      return String.format(Locale.ROOT, "%.2fM", n / 1e6);
    }
    if (n >= 1_000) {
      return String.format(Locale.ROOT, "%.1fK", n / 1e3);
    }
    return String.valueOf(n);
  }

  private static String change(double before, double after) {
    return before == 0 ? "—" : String.format(Locale.ROOT, "%+.1f%%", (after - before) / before * 100);
  }
}
