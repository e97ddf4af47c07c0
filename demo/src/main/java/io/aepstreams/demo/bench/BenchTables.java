package io.aepstreams.demo.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** A {@link BenchReport} as a Markdown table, JSON, and plots; and the targets checked against it. */
public final class BenchTables {
  private static final Color[] COLORS = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c),
      new Color(0x9467bd), new Color(0xff7f0e), new Color(0x444444)};

  private BenchTables() {}

  /** The targets, measured: each met or missed. */
  static List<BenchReport.Target> targets(BenchReport r) {
    List<BenchReport.Target> targets = new ArrayList<>();
    for (BenchReport.PipelineRow row : r.pipeline()) {
      // one image per pass leaves the most room for Kafka's fixed cost per record: its goal is lower
      double goal = row.batch() == 1 ? 0.60 : 0.85;
      targets.add(new BenchReport.Target("pipeline throughput, batch " + row.batch(), ">= " + percent(goal)
          + " of the model loop's", percent(row.shareOfRaw()), row.shareOfRaw() >= goal));
    }
    BenchReport.EarlyExit e = r.earlyExit();
    for (BenchReport.PipelineRow row : r.pipeline()) {
      Double kafka = row.cpuByPart() == null ? null : row.cpuByPart().get(CpuAttribution.Part.STREAM_KAFKA.name());
      if (row.batch() == e.batch() && kafka != null) {
        targets.add(new BenchReport.Target("Kafka work of the stream threads, batch " + row.batch(),
            "<= 0.15 ms CPU per image", String.format(Locale.ROOT, "%.3f ms", kafka), kafka <= 0.15));
      }
    }
    String rounds = e.rounds() == null ? "" : String.format(Locale.ROOT, ", median of %d rounds (%s to %s)",
        e.rounds().size(), percent(e.pipelineGainLow()), percent(e.pipelineGainHigh()));
    targets.add(new BenchReport.Target("early-exit throughput gain, pipeline, batch " + e.batch(),
        ">= 90% of the MACs' prediction (" + percent(e.predictedGain()) + ")",
        percent(e.pipelineGain()) + " = " + percent(e.pipelineShareOfPredicted()) + " of it" + rounds
            + (e.stageTimePredictedGain() == null ? "" : "; the stages' times predict "
                + percent(e.stageTimePredictedGain()) + ", " + percent(e.pipelineGain() / e.stageTimePredictedGain())
                + " of that"),
        e.pipelineShareOfPredicted() >= 0.90));
    targets.add(new BenchReport.Target("early-exit accuracy cost", "<= 0.5 points",
        String.format(Locale.ROOT, "%.2f points", e.accuracyDropPoints()), e.accuracyDropPoints() <= 0.5));
    for (BenchReport.LatencyRow row : r.latency()) {
      if (row.batch() != e.batch()) {
        continue;
      }
      boolean single = row.topology().equals("single");
      long limit = single ? 100 : 150;
      double load = row.load() > 0 ? row.load() : r.settings().latencyLoad();
      targets.add(new BenchReport.Target("p99 latency at " + percent(load) + " of its maximum, " + row.topology()
          + ", batch " + row.batch(), "< " + limit + " ms, read by a read_committed consumer"
          + (load <= 0.8 ? "" : " (the target is at up to 80%)"), row.latency().readP99() + " ms",
          row.latency().readP99() < limit));
    }
    if (r.memory() != null) {
      targets.add(new BenchReport.Target("resident memory over " + String.format(Locale.ROOT, "%,d",
          r.memory().images()) + " images", "< 5% growth after warm-up",
          String.format(Locale.ROOT, "%+.1f%%", r.memory().growthPercent()), r.memory().growthPercent() < 5));
    }
    return targets;
  }

  static String markdown(BenchReport r) {
    StringBuilder md = new StringBuilder();
    BenchReport.Machine m = r.machine();
    md.append("\n").append(m.describe()).append("\n\n");
    BenchReport.ModelInfo model = r.model();
    md.append(String.format(Locale.ROOT, "Model: %s %s, %d stages, exits %s, thresholds %s (%s), %,d MACs per image "
        + "for every stage.%n%n", model.name(), model.version(), model.stages(), model.exits(), thresholds(model.thresholds()),
        model.confidence(), model.macsEveryStage()));
    md.append("| batch | model loop, exits (img/s) | model loop, every stage (img/s) | pipeline, exits (img/s) | "
        + "pipeline / model loop | CPU ms per image, model loop | CPU ms per image, pipeline | mean stage-1 batch | "
        + "split, exits (img/s) |\n|---|---|---|---|---|---|---|---|---|\n");
    for (int i = 0; i < r.raw().size(); i++) {
      BenchReport.RawRow raw = r.raw().get(i);
      BenchReport.PipelineRow p = r.pipeline().get(i);
      md.append(String.format(Locale.ROOT, "| %d | %,.0f | %,.0f | %,.0f | %s | %.2f | %.2f | %.1f | %s |%n",
          raw.batch(), raw.exitsPerSecond(), raw.allStagesPerSecond(), p.imagesPerSecond(), percent(p.shareOfRaw()),
          raw.exitsCpuMillis(), p.cpuMillisPerImage(), p.meanStageOneBatch(), p.splitImagesPerSecond() > 0
              ? String.format(Locale.ROOT, "%,.0f", p.splitImagesPerSecond()) : "-"));
    }
    String broker = r.settings().broker() == null ? "in the benchmark's JVM" : r.settings().broker();
    md.append("\nCPU ms per image: this process's CPU time (all threads) over the images; for the pipeline it includes "
        + "the reader of the results" + (broker.startsWith("in the") ? " and the broker, which ran in this JVM" : "")
        + ". Broker: " + broker + "."
        + (r.settings().streamThreads() > 0 ? String.format(Locale.ROOT, " Threads: %d stream thread(s), %d engine "
        + "thread(s) per forward pass%s; the model loop ran %d loop(s) at once.", r.settings().streamThreads(),
        r.settings().engineThreads(), Boolean.TRUE.equals(r.settings().passThreads())
        ? ", the passes on a thread of their own for each" : "", r.settings().streamThreads()) : "") + "\n");
    if (r.pipeline().stream().anyMatch(p -> p.cpuByPart() != null)) {
      md.append("\nWho spent the pipeline's CPU, ms per image (\"Kafka work of the stream threads\": their CPU less "
          + "the stage runs, so poll, deserialise, decode, serialise, send, commit):\n\n| part |");
      List<BenchReport.PipelineRow> rows = r.pipeline().stream().filter(p -> p.cpuByPart() != null).toList();
      rows.forEach(p -> md.append(" batch ").append(p.batch()).append(" |"));
      md.append("\n|---|").append("---|".repeat(rows.size())).append("\n");
      for (CpuAttribution.Part part : CpuAttribution.Part.values()) {
        if (rows.stream().noneMatch(p -> p.cpuByPart().containsKey(part.name()))) {
          continue;
        }
        md.append("| ").append(part.words()).append(" |");
        rows.forEach(p -> md.append(String.format(Locale.ROOT, " %.3f |", p.cpuByPart().getOrDefault(part.name(),
            Double.NaN))));
        md.append("\n");
      }
      md.append("| **all** |");
      rows.forEach(p -> md.append(String.format(Locale.ROOT, " **%.3f** |", p.cpuByPart().values().stream()
          .mapToDouble(Double::doubleValue).sum())));
      md.append("\n");
      for (BenchReport.PipelineRow p : rows) {
        r.raw().stream().filter(raw -> raw.batch() == p.batch()).findFirst().ifPresent(raw -> md.append(
            "\n" + ceiling(r.machine().cores(), p, raw)));
      }
      md.append("\n\nMean images per forward pass, stage by stage (the deeper stages thinned by exits, refilled "
          + "where they wait): ");
      md.append(String.join("; ", rows.stream().map(p -> "batch " + p.batch() + ": " + (p.meanBatchByStage() == null
          ? "-" : batches(p.meanBatchByStage())) + String.format(Locale.ROOT, " (first-stage batches gone on full: "
          + "%.0f%%)", 100 * p.releasedFullShare())).toList())).append(".\n");
    }
    BenchReport.EarlyExit e = r.earlyExit();
    md.append(String.format(Locale.ROOT, "%nEarly exits at batch %d: %s of the MACs saved, predicting %s more "
        + "images/s. Model loop: %s more (%s of the prediction). Pipeline: %s more, %,.0f img/s every stage "
        + "(%s of the prediction). Accuracy on the same %d images: %.2f%% with exits, %.2f%% every stage "
        + "(%.2f points).%n%n", e.batch(), percent(e.macsSaved()), percent(e.predictedGain()), percent(e.rawGain()),
        percent(e.rawShareOfPredicted()), percent(e.pipelineGain()), e.pipelineAllStagesPerSecond(),
        percent(e.pipelineShareOfPredicted()), r.settings().rawImages(), 100 * e.accuracyExits(),
        100 * e.accuracyAllStages(), e.accuracyDropPoints()));
    BenchReport.RawRow main = r.raw().stream().filter(row -> row.batch() == e.batch()).findFirst().orElse(null);
    if (e.stageTimePredictedGain() != null && main != null && main.allStagesStageMillis() != null) {
      md.append(String.format(Locale.ROOT, "What the stages cost here, in the model loop at batch %d, ms of wall "
          + "time per image that entered each stage (forward pass, exit and ensemble): %s every stage, at full "
          + "batches; %s with exits, the deeper stages at batches thinned by them. Those full-batch times predict "
          + "%s more images/s from the exits, where the MACs predict %s: the model loop delivers %s of the times' "
          + "prediction, the pipeline %s.%n%n", e.batch(), stageMillis(main.allStagesStageMillis()),
          stageMillis(main.exitsStageMillis()), percent(e.stageTimePredictedGain()), percent(e.predictedGain()),
          percent(e.rawGain() / e.stageTimePredictedGain()), percent(e.pipelineGain() / e.stageTimePredictedGain())));
    }
    if (e.rounds() != null && !e.rounds().isEmpty()) {
      md.append("The pipeline's gain is the median of ").append(e.rounds().size()).append(" rounds, each a run with "
          + "the exits and one with every stage back to back, the order alternating:\n\n| round | exits (img/s) | "
          + "every stage (img/s) | gain |\n|---|---|---|---|\n");
      for (int i = 0; i < e.rounds().size(); i++) {
        BenchReport.GainRound g = e.rounds().get(i);
        md.append(String.format(Locale.ROOT, "| %d | %,.0f | %,.0f | %+.0f%% |%n", i + 1, g.exitsPerSecond(),
            g.allStagesPerSecond(), 100 * g.gain()));
      }
      md.append("\n");
    }
    boolean live = r.latency().stream().anyMatch(row -> row.maximum() != null);
    md.append("| batch | topology | load | " + (live ? "maximum, images arriving (img/s) | " : "")
        + "offered (img/s) | images | read p50 | read p99 | read p99.9 | decided p50 | decided p99 | decided p99.9 |\n"
        + "|---|---|---|" + (live ? "---|" : "") + "---|---|---|---|---|---|---|---|\n");
    for (BenchReport.LatencyRow row : r.latency()) {
      BrokerRuns.Latency l = row.latency();
      double load = row.load() > 0 ? row.load() : r.settings().latencyLoad();
      md.append(String.format(Locale.ROOT, "| %d | %s | %s | %s%,.0f | %,d | %d ms | %d ms | %d ms | %d ms | %d ms "
          + "| %d ms |%n", row.batch(), row.topology(), percent(load), !live ? "" : row.maximum() == null ? "- | "
          : String.format(Locale.ROOT, "%,.0f | ", row.maximum()), l.offeredRate(), l.images(), l.readP50(),
          l.readP99(), l.readP999(), l.decidedP50(), l.decidedP99(), l.decidedP999()));
    }
    md.append(live ? "\n\"load\": the offered rate as a share of the topology's maximum with images arriving, "
        + "measured just before its latency runs (a maximum read from a topic written beforehand leaves out the "
        + "broker's work of taking the images in, and on a shared machine one read minutes earlier is another "
        + "machine's)." : "\n\"load\": the offered rate as a share of the topology's own measured maximum (the "
        + "split's is measured apart).");
    md.append(" \"read\": sent to read by a read_committed consumer (what a user of the results sees); "
        + "\"decided\": sent to the stage that answered.\n");
    if (r.memory() != null) {
      BenchReport.Memory mem = r.memory();
      md.append(String.format(Locale.ROOT, "%nMemory: %,d images at %,.0f img/s through one instance; resident set of "
          + "the benchmark's process (broker, pipeline, producer and consumer): %.0f MiB after warm-up (the first "
          + "tenth), %.0f MiB at the end, %.0f MiB at most: %+.1f%%.%n", mem.images(), mem.ratePerSecond(),
          mem.warmupRssMiB(), mem.finalRssMiB(), mem.maxRssMiB(), mem.growthPercent()));
    }
    if (r.stages() != null) {
      md.append("\n| stage | parameters | MACs per image | images leaving at its exit |\n|---|---|---|---|\n");
      for (BenchReport.StageRow s : r.stages()) {
        md.append(String.format(Locale.ROOT, "| %d | %,d | %s | %s |%n", s.stage(), s.params(), macs(s.macs()),
            percent(s.exitShare())));
      }
    }
    if (r.crossing() != null) {
      md.append(crossingMarkdown(r.crossing()));
    }
    if (r.handoffRuns() != null && !r.handoffRuns().isEmpty()) {
      md.append("\nThe split at the main batch size with each hand-off setting: the bytes the stage topic holds on the "
          + "broker (its log: record batches, compression, transaction markers), per image sent and per hand-off, "
          + "beside the latency.\n\n| encoding | compression | images sent | handed on | broker bytes per image | per "
          + "hand-off | / raw input at model size | read p50 | read p99 |\n|---|---|---|---|---|---|---|---|---|\n");
      for (BrokerRuns.HandoffRun h : r.handoffRuns()) {
        double perImage = (double) h.brokerBytes() / h.imagesSent();
        md.append(String.format(Locale.ROOT, "| %s | %s | %,d | %,d | %,.0f | %,.0f | %s | %d ms | %d ms |%n",
            h.encoding(), h.compression(), h.imagesSent(), h.handedOn(), perImage,
            (double) h.brokerBytes() / Math.max(1, h.handedOn()), r.crossing() == null ? "-"
                : String.format(Locale.ROOT, "%.2fx", perImage / r.crossing().inputRawAtModel()),
            h.latency().readP50(), h.latency().readP99()));
      }
    }
    md.append("\n| target | goal | measured | |\n|---|---|---|---|\n");
    for (BenchReport.Target t : r.targets()) {
      md.append(String.format("| %s | %s | %s | %s |%n", t.name(), t.goal(), t.measured(), t.met() ? "met" : "MISSED"));
    }
    return md.toString();
  }

  /** Per split point: what crosses per image, against the image itself. */
  static String crossingMarkdown(BenchReport.Crossing c) {
    StringBuilder md = new StringBuilder();
    md.append(String.format(Locale.ROOT, "%nInput per image (mean of %d): %,.0f bytes raw as sent, %,.0f as PNG; %,d "
        + "raw at the model's input size, %,.0f as PNG.%n%n", c.sample(), c.inputRawAsSent(), c.inputPngAsSent(),
        c.inputRawAtModel(), c.inputPngAtModel()));
    md.append("| split after stage | tensor | hand-off record (bytes) | / raw input at model size | images going on "
        + "| bytes crossing per image | MACs edge / deep (every stage) |\n|---|---|---|---|---|---|---|\n");
    for (BenchReport.SplitPoint p : c.points()) {
      md.append(String.format(Locale.ROOT, "| %d | %s | %,.0f | %.1fx | %s | %,.0f | %s / %s |%n", p.after(),
          p.tensor().stream().map(String::valueOf).collect(java.util.stream.Collectors.joining("x")),
          p.recordBytes(), p.recordBytes() / c.inputRawAtModel(), percent(p.goingOnShare()), p.bytesPerImage(),
          macs(p.edgeMacs()), macs(p.deepMacs())));
    }
    if (c.points().stream().allMatch(p -> p.encodings() != null)) {
      md.append("\nPer encoding: the hand-off record as written, on the wire in the producer's record batches "
          + "(none / lz4 / zstd), and as written per image that entered.\n\n| split after stage | encoding | record "
          + "(bytes) | wire none / lz4 / zstd | / raw input at model size (zstd) | crossing per image |\n"
          + "|---|---|---|---|---|---|\n");
      for (BenchReport.SplitPoint p : c.points()) {
        for (BenchReport.EncodedSize e : p.encodings()) {
          md.append(String.format(Locale.ROOT, "| %d | %s | %,.0f | %,.0f / %,.0f / %,.0f | %.2fx | %,.0f |%n",
              p.after(), e.encoding(), e.recordBytes(), e.wireBytes().get("none"), e.wireBytes().get("lz4"),
              e.wireBytes().get("zstd"), e.wireBytes().get("zstd") / c.inputRawAtModel(), e.bytesPerImage()));
        }
      }
    }
    return md.toString();
  }

  /** MACs in millions or billions. */
  public static String macs(long macs) {
    return macs >= 1_000_000_000 ? String.format(Locale.ROOT, "%.2f G", macs / 1e9)
        : String.format(Locale.ROOT, "%.1f M", macs / 1e6);
  }

  static void write(BenchReport r, Path dir) throws IOException {
    Files.createDirectories(dir);
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(dir.resolve("bench.json").toFile(), r);
    Files.writeString(dir.resolve("bench.md"), markdown(r));
    throughputPlot(r, dir.resolve("throughput"));
    latencyPlot(r, dir.resolve("latency"));
    cpuPlot(r, dir.resolve("cpu"));
    if (r.memory() != null) {
      memoryPlot(r.memory(), dir.resolve("memory"));
    }
  }

  private static void throughputPlot(BenchReport r, Path file) throws IOException {
    XYChart chart = chart("Throughput against batch size", "batch size (images per forward pass)", "images/s");
    chart.getStyler().setXAxisLogarithmic(true);
    List<Double> batches = r.raw().stream().map(row -> (double) row.batch()).toList();
    series(chart, "model loop, early exits", batches, r.raw().stream().map(BenchReport.RawRow::exitsPerSecond)
        .toList(), 0);
    series(chart, "model loop, every stage", batches, r.raw().stream().map(BenchReport.RawRow::allStagesPerSecond)
        .toList(), 5);
    series(chart, "pipeline (exactly-once), early exits", batches, r.pipeline().stream()
        .map(BenchReport.PipelineRow::imagesPerSecond).toList(), 1);
    BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
  }

  private static void latencyPlot(BenchReport r, Path file) throws IOException {
    List<Double> loads = r.latency().stream().map(l -> l.load() > 0 ? l.load() : r.settings().latencyLoad())
        .distinct().toList();
    XYChart chart = chart("Latency at " + String.join(" and ", loads.stream().map(BenchTables::percent).toList())
        + " of the maximum rate, against batch size", "batch size (images per forward pass)",
        "ms, sent to read (read_committed)");
    chart.getStyler().setXAxisLogarithmic(true);
    int color = 0;
    for (double load : loads) {
      for (String topology : r.latency().stream().map(BenchReport.LatencyRow::topology).distinct().toList()) {
        List<BenchReport.LatencyRow> rows = r.latency().stream().filter(l -> l.topology().equals(topology)
            && (l.load() > 0 ? l.load() : r.settings().latencyLoad()) == load).toList();
        if (rows.isEmpty()) {
          continue;
        }
        String name = topology + (loads.size() > 1 ? " at " + percent(load) : "");
        List<Double> batches = rows.stream().map(l -> (double) l.batch()).toList();
        series(chart, name + " p50", batches, rows.stream().map(l -> (double) l.latency().readP50()).toList(),
            color);
        XYSeries p99 = series(chart, name + " p99", batches, rows.stream()
            .map(l -> (double) l.latency().readP99()).toList(), color);
        p99.setLineStyle(new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
            new float[] {6f, 4f}, 0f));
        color++;
      }
    }
    BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
  }

  /** The pipeline's CPU per image by who spent it, one stacked bar per batch size. */
  private static void cpuPlot(BenchReport r, Path file) throws IOException {
    List<BenchReport.PipelineRow> rows = r.pipeline().stream().filter(p -> p.cpuByPart() != null).toList();
    if (rows.isEmpty()) {
      return;
    }
    org.knowm.xchart.CategoryChart chart = new org.knowm.xchart.CategoryChartBuilder().width(900).height(560)
        .title("Who spends the pipeline's CPU").xAxisTitle("batch size").yAxisTitle("CPU ms per image").build();
    chart.getStyler().setStacked(true);
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    chart.getStyler().setPlotBackgroundColor(Color.WHITE);
    chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
    List<String> batches = rows.stream().map(p -> String.valueOf(p.batch())).toList();
    // One colour per part (the broker's must not wrap round to the model's).
    Color[] palette = {new Color(0x1f77b4), new Color(0xaec7e8), new Color(0xd62728), new Color(0xff9896),
        new Color(0x9467bd), new Color(0xc5b0d5), new Color(0x8c564b), new Color(0x7f7f7f), new Color(0xc7c7c7),
        new Color(0x2ca02c), new Color(0xff7f0e), new Color(0x98df8a)};
    for (CpuAttribution.Part part : CpuAttribution.Part.values()) {
      if (rows.stream().noneMatch(p -> p.cpuByPart().getOrDefault(part.name(), 0.0) > 0)) {
        continue;
      }
      chart.addSeries(part.words(), batches, rows.stream().map(p -> (Number) p.cpuByPart()
          .getOrDefault(part.name(), 0.0)).toList()).setFillColor(palette[part.ordinal() % palette.length]);
    }
    BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
  }

  private static void memoryPlot(BenchReport.Memory memory, Path file) throws IOException {
    XYChart chart = chart("Resident memory over a long run", "images answered (millions)", "MiB");
    List<Double> images = memory.samples().stream().map(s -> s.images() / 1e6).toList();
    series(chart, "resident set (whole process)", images, memory.samples().stream()
        .map(BrokerRuns.MemorySample::rssMiB).toList(), 0).setMarker(SeriesMarkers.NONE);
    series(chart, "Java heap in use", images, memory.samples().stream().map(BrokerRuns.MemorySample::heapMiB)
        .toList(), 2).setMarker(SeriesMarkers.NONE);
    BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
  }

  /** A chart in the style of every plot of the demo module. */
  public static XYChart chart(String title, String x, String y) {
    XYChart chart = new XYChartBuilder().width(900).height(560).title(title).xAxisTitle(x).yAxisTitle(y).build();
    Styler styler = chart.getStyler();
    styler.setChartBackgroundColor(Color.WHITE);
    styler.setPlotBackgroundColor(Color.WHITE);
    styler.setLegendPosition(Styler.LegendPosition.OutsideS);
    styler.setLegendLayout(Styler.LegendLayout.Horizontal);
    styler.setAntiAlias(true);
    return chart;
  }

  /** A series with markers, in the {@code color}-th of the shared palette. */
  public static XYSeries series(XYChart chart, String name, List<Double> x, List<Double> y, int color) {
    XYSeries series = chart.addSeries(name, x, y);
    Color c = COLORS[color % COLORS.length];
    series.setLineColor(c);
    series.setMarkerColor(c);
    series.setMarker(SeriesMarkers.CIRCLE);
    return series;
  }

  /** Mean images per forward pass by stage, in one line. */
  static String batches(java.util.Map<Integer, Double> byStage) {
    StringBuilder text = new StringBuilder();
    byStage.forEach((stage, mean) -> text.append(text.isEmpty() ? "" : ", ").append(String.format(Locale.ROOT,
        "%d: %.1f", stage, mean)));
    return text.toString();
  }

  /**
   * The most the pipeline could do at {@code p}'s batch size on these cores, in one sentence: the model loop's CPU
   * per image plus the pipeline's outside the model.
   */
  static String ceiling(int cores, BenchReport.PipelineRow p, BenchReport.RawRow raw) {
    double outside = CpuAttribution.outsideModel(p.cpuByPart());
    double ceiling = CpuAttribution.ceilingPerSecond(cores, raw.exitsPerSecond(), raw.exitsCpuMillis(), outside);
    return String.format(Locale.ROOT, "Ceiling at batch %d on these %d cores: the model loop's %.2f ms of CPU per "
        + "image plus the pipeline's %.2f outside the model allow at most %,.0f images/s, %s of the model loop; "
        + "the pipeline reached %s of that ceiling.", p.batch(), cores, raw.exitsCpuMillis(), outside, ceiling,
        percent(ceiling / raw.exitsPerSecond()), percent(p.imagesPerSecond() / ceiling));
  }

  /** Milliseconds per image by stage, in stage order: "0.22 / 0.20 / 0.18 / 0.06". */
  static String stageMillis(java.util.Map<Integer, Double> byStage) {
    return new java.util.TreeMap<>(byStage).values().stream().map(ms -> String.format(Locale.ROOT, "%.3f", ms))
        .collect(java.util.stream.Collectors.joining(" / "));
  }

  /** The CPU attribution in one line, ms per image, the larger parts first. */
  static String parts(java.util.Map<String, Double> parts) {
    StringBuilder text = new StringBuilder();
    parts.entrySet().stream().sorted(java.util.Map.Entry.<String, Double>comparingByValue().reversed())
        .filter(p -> p.getValue() >= 0.0005).forEach(p -> text.append(text.isEmpty() ? "" : ", ").append(
            CpuAttribution.Part.valueOf(p.getKey()).words()).append(String.format(Locale.ROOT, " %.3f",
            p.getValue())));
    return text.toString();
  }

  static String thresholds(java.util.Map<Integer, Double> thresholds) {
    StringBuilder text = new StringBuilder();
    thresholds.forEach((stage, t) -> text.append(text.isEmpty() ? "" : ", ").append(String.format(Locale.ROOT,
        "t%d=%.4f", stage, t)));
    return text.isEmpty() ? "none" : text.toString();
  }

  private static String percent(double share) {
    return String.format(Locale.ROOT, "%.0f%%", 100 * share);
  }
}
