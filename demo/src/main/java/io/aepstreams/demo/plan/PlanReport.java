package io.aepstreams.demo.plan;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.aepstreams.demo.bench.BenchTables;
import java.awt.BasicStroke;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The planner's output: plan.md (the tables), plan.json (every figure) and plan.png (bytes and deep compute). */
public final class PlanReport {
  /** Everything the planner measured and chose, as plan.json holds it. */
  public record Report(String model, String version, String machine, String command, int images, double accuracy,
      int batch, SplitPlan.Plan plan, List<HandoffTrial.Agreement> agreements, List<HandoffTrial.Size> sizes,
      SplitPlan.Candidate chosen) {}

  private PlanReport() {}

  public static String markdown(Report r) {
    SplitPlan.Plan plan = r.plan();
    StringBuilder md = new StringBuilder();
    md.append("# Split plan: ").append(r.model()).append(" (").append(r.version()).append(")\n\n");
    md.append("`").append(r.command()).append("`\n\n").append(r.machine()).append("\n\n");
    md.append(String.format(Locale.ROOT, "Link %.0f Mbit/s, deep side %.1fx the edge's speed, %.1f ms a broker hop, "
        + "hand-offs compressed with %s; stage times at batch 1 and at batch %d (the batch size in use); the share "
        + "of images reaching each stage from %s.%n%n", plan.link().megabitsPerSecond(), plan.link().deepSpeedup(),
        plan.link().hopMillis(), plan.link().compression(), r.batch(), plan.reachSource()));
    md.append("## Stages\n\n| stage | parameters | MACs | reaches it | leaves at its exit | ms at batch 1 | ms per image "
        + "at batch " + r.batch() + " | after it: hand-off bytes float32 / float16 / int8 (" + plan.link()
        .compression() + ") |\n|---|---|---|---|---|---|---|---|\n");
    int last = plan.stages().get(plan.stages().size() - 1).stage();
    for (SplitPlan.StageRow s : plan.stages()) {
      String bytes = s.stage() == last ? "(last stage)" : String.join(" / ", plan.candidates().stream()
          .filter(c -> c.split() == s.stage()).map(c -> String.format(Locale.ROOT, "%,.0f", wireRecord(r, c)))
          .toList());
      md.append(String.format(Locale.ROOT, "| %d | %,d | %s | %.1f%% | %.1f%% | %.2f | %.3f | %s |%n", s.stage(),
          s.params(), BenchTables.macs(s.macs()), 100 * s.reach(), 100 * s.exitShare(), s.batchOneMillis(),
          s.batchedMillisPerImage(), bytes));
    }
    md.append(String.format(Locale.ROOT, "%nThe image itself: %,d bytes raw at the model's input size.%n",
        plan.rawImageBytes()));
    md.append("\n## Agreement with float32\n\n").append(agreementMarkdown(r.agreements(), r.images()));
    md.append("\n## Hand-off records\n\n").append(sizesMarkdown(r.sizes()));
    md.append("\n## Ranked: least edge work\n\n").append(candidates(plan.ranked(SplitPlan.BY_EDGE), plan));
    md.append("\n## Ranked: fewest bytes crossing\n\n").append(candidates(plan.ranked(SplitPlan.BY_BYTES), plan));
    md.append("\n## Ranked: shortest end to end\n\n").append(candidates(plan.ranked(SplitPlan.BY_END_TO_END), plan));
    md.append("\nFor reference, no split:\n\n").append(candidates(List.of(plan.allEdge(), plan.allDeep()), plan));
    List<SplitPlan.Candidate> refused = plan.candidates().stream().filter(c -> !c.keeps()).toList();
    if (!refused.isEmpty()) {
      md.append("\nLeft out of the rankings, their decisions changed too often (under 99.9% the same as float32, or "
          + "more than 0.1 points of accuracy lost): ");
      md.append(String.join(", ", refused.stream().map(c -> String.format(Locale.ROOT, "split %d %s (%.2f%%, %+.2f "
          + "points)", c.split(), c.encoding(), 100 * c.agreement(), c.accuracyDeltaPoints())).toList()));
      md.append(".\n");
    }
    SplitPlan.Candidate chosen = r.chosen();
    md.append(String.format(Locale.ROOT, "%n**Chosen** (shortest end to end among those that keep the decisions): "
        + "split after stage %d, %s: `aep.stages=1-%d` on the edge, `aep.stages=%d-%d` on the deep side, "
        + "`aep.handoff.encoding=%s`; %,.0f bytes crossing per image (%.2fx the raw image), %.2f ms of edge work "
        + "per image, %.1f ms end to end.%n", chosen.split(), chosen.encoding(), chosen.split(), chosen.split() + 1,
        last, chosen.encoding(), chosen.bytesPerImage(), chosen.bytesPerImage() / plan.rawImageBytes(),
        chosen.edgeMillis(), chosen.endToEndMillis()));
    return md.toString();
  }

  /** A hand-off record of candidate {@code c} on the wire (not weighted by the share going on). */
  private static double wireRecord(Report r, SplitPlan.Candidate c) {
    return r.sizes().stream().filter(s -> s.split() == c.split() && s.encoding().equals(c.encoding()))
        .mapToDouble(s -> s.wireBytes().getOrDefault(r.plan().link().compression(), s.recordBytes())).findFirst()
        .orElse(Double.NaN);
  }

  static String agreementMarkdown(List<HandoffTrial.Agreement> agreements, int images) {
    StringBuilder md = new StringBuilder();
    md.append(String.format(Locale.ROOT, "On %,d images: the share with the same class and the same exit as with "
        + "float32 hand-offs, and the accuracy.%n%n", images));
    md.append("| split after stage | encoding | images crossing | same decision | same class | accuracy | against "
        + "float32 | keeps decisions |\n|---|---|---|---|---|---|---|---|\n");
    for (HandoffTrial.Agreement a : agreements) {
      md.append(String.format(Locale.ROOT, "| %d | %s | %,d | %.2f%% (%,d) | %.2f%% | %.2f%% | %+.2f points | %s |%n",
          a.split(), a.encoding(), a.crossing(), 100 * a.sameDecisionShare(), a.images() - a.sameDecisions(),
          100.0 * a.sameClasses() / a.images(), 100 * a.accuracy(), a.accuracyDeltaPoints(),
          a.keepsDecisions() ? "yes" : "no"));
    }
    md.append("\n(In brackets: the images whose decision changed.)\n");
    return md.toString();
  }

  static String sizesMarkdown(List<HandoffTrial.Size> sizes) {
    StringBuilder md = new StringBuilder();
    md.append("Per record, mean over the images that crossed (up to the sample): as written (key and value), and on "
        + "the wire in record batches as the producer makes them (up to " + HandoffTrial.PRODUCER_BATCH_BYTES
        + " bytes, batch headers included) and the time to build those batches; CPU to encode and decode one image's "
        + "tensor.\n\n");
    md.append("| split after stage | encoding | records | written | wire, none | wire, lz4 | wire, zstd | batching ms "
        + "per record none / lz4 / zstd | encode ms | decode ms |\n|---|---|---|---|---|---|---|---|---|---|\n");
    for (HandoffTrial.Size s : sizes) {
      Map<String, Double> w = s.wireBytes();
      Map<String, Double> t = s.wireMillis();
      md.append(String.format(Locale.ROOT, "| %d | %s | %,d | %,.0f | %,.0f | %,.0f | %,.0f | %.3f / %.3f / %.3f | %.3f "
          + "| %.3f |%n", s.split(), s.encoding(), s.records(), s.recordBytes(), w.getOrDefault("none", Double.NaN),
          w.getOrDefault("lz4", Double.NaN), w.getOrDefault("zstd", Double.NaN), t.getOrDefault("none", Double.NaN),
          t.getOrDefault("lz4", Double.NaN), t.getOrDefault("zstd", Double.NaN), s.encodeMillis(), s.decodeMillis()));
    }
    return md.toString();
  }

  private static String candidates(List<SplitPlan.Candidate> candidates, SplitPlan.Plan plan) {
    StringBuilder md = new StringBuilder();
    md.append("| split after stage | encoding | edge work (ms per image) | bytes crossing per image | against the raw "
        + "image | deep compute (ms per image) | deep MACs per image | end to end (ms) | same decisions |\n"
        + "|---|---|---|---|---|---|---|---|---|\n");
    for (SplitPlan.Candidate c : candidates) {
      md.append(String.format(Locale.ROOT, "| %s | %s | %.3f | %,.0f | %.2fx | %.3f | %s | %.2f | %s |%n",
          c.split() == 0 ? "0 (all on the deep side)" : c.split() == plan.allEdge().split()
              ? c.split() + " (all on the edge)" : String.valueOf(c.split()), c.encoding(), c.edgeMillis(),
          c.bytesPerImage(), c.bytesPerImage() / plan.rawImageBytes(), c.deepMillis(),
          BenchTables.macs(c.deepMacs()), c.endToEndMillis(),
          Double.isNaN(c.agreement()) ? "-" : String.format(Locale.ROOT, "%.2f%%", 100 * c.agreement())));
    }
    return md.toString();
  }

  public static void write(Report r, Path dir) throws IOException {
    Files.createDirectories(dir);
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(dir.resolve("plan.json").toFile(), r);
    Files.writeString(dir.resolve("plan.md"), markdown(r));
    plot(r, dir.resolve("plan"));
  }

  /** Bytes crossing per image (each encoding, and the raw image) and expected deep compute, against the split. */
  static void plot(Report r, Path file) throws IOException {
    SplitPlan.Plan plan = r.plan();
    XYChart chart = BenchTables.chart(r.model() + ": bytes crossing and deep-side compute against the split point",
        "split after stage (0: the image crosses)", "bytes crossing per image (log)");
    chart.getStyler().setYAxisLogarithmic(true);
    chart.setYAxisGroupTitle(1, "deep-side MACs per image (millions, log)");
    chart.getStyler().setYAxisGroupPosition(1, org.knowm.xchart.style.Styler.YAxisPosition.Right);
    int color = 0;
    List<String> encodings = plan.candidates().stream().filter(c -> c.split() > 0 && c.split() < plan.allEdge()
        .split()).map(SplitPlan.Candidate::encoding).distinct().toList();
    for (String encoding : encodings) {
      List<SplitPlan.Candidate> line = plan.candidates().stream().filter(c -> c.encoding().equals(encoding))
          .sorted(Comparator.comparingInt(SplitPlan.Candidate::split)).toList();
      BenchTables.series(chart, encoding + " hand-offs (" + plan.link().compression() + ")",
          line.stream().map(c -> (double) c.split()).toList(),
          line.stream().map(c -> Math.max(1, c.bytesPerImage())).toList(), color++);
    }
    List<Double> all = new ArrayList<>();
    for (int s = 0; s <= plan.allEdge().split(); s++) {
      all.add((double) s);
    }
    XYSeries raw = BenchTables.series(chart, "the raw image", all, all.stream().map(x -> (double) plan.rawImageBytes())
        .toList(), color++);
    raw.setMarker(SeriesMarkers.NONE);
    raw.setLineStyle(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f},
        0f));
    List<SplitPlan.Candidate> deep = new ArrayList<>();
    for (int s = 0; s <= plan.allEdge().split(); s++) {
      int split = s;
      plan.candidates().stream().filter(c -> c.split() == split).findFirst().ifPresent(deep::add);
    }
    XYSeries macs = BenchTables.series(chart, "deep-side MACs per image (right axis)",
        deep.stream().map(c -> (double) c.split()).toList(), deep.stream().map(c -> Math.max(0.01, c.deepMacs() / 1e6)).toList(),
        color);
    macs.setYAxisGroup(1);
    BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
  }
}
