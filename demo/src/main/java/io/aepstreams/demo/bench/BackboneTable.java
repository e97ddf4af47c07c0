package io.aepstreams.demo.bench;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * One row per backbone from several {@code ./aep bench} runs (their bench.json): MACs per stage, where images
 * leave, throughput and p99 latency at the main batch size, and the bytes crossing each split point per image
 * against the image's own; with a plot of the bytes crossing against the split point.
 */
public final class BackboneTable {
  private static final Color[] COLORS = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c),
      new Color(0x9467bd), new Color(0xff7f0e)};

  private BackboneTable() {}

  public static List<BenchReport> read(List<Path> benches) throws IOException {
    ObjectMapper json = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    List<BenchReport> reports = new ArrayList<>();
    for (Path bench : benches) {
      Path file = Files.isDirectory(bench) ? bench.resolve("bench.json") : bench;
      BenchReport report = json.readValue(file.toFile(), BenchReport.class);
      if (report.crossing() == null || report.stages() == null) {
        throw new IllegalArgumentException(file + " predates the stage and hand-off figures: run ./aep bench again");
      }
      reports.add(report);
    }
    return reports;
  }

  public static String markdown(List<BenchReport> reports) {
    StringBuilder md = new StringBuilder();
    md.append("| backbone | MACs per stage | images leaving at each exit | pipeline (img/s) | p99 single / split "
        + "| input raw / PNG at model size (bytes) | hand-off after stage 1 / 2 / 3 (bytes per record) "
        + "| crossing per image after stage 1 / 2 / 3 |\n|---|---|---|---|---|---|---|---|\n");
    for (BenchReport r : reports) {
      BenchReport.Crossing c = r.crossing();
      int batch = r.earlyExit().batch();
      double throughput = r.pipeline().stream().filter(p -> p.batch() == batch)
          .mapToDouble(BenchReport.PipelineRow::imagesPerSecond).findFirst().orElse(Double.NaN);
      String p99 = r.latency().stream().filter(l -> l.batch() == batch)
          .map(l -> l.latency().readP99() + " ms").collect(Collectors.joining(" / "));
      md.append(String.format(Locale.ROOT, "| %s | %s | %s | %,.0f (batch %d) | %s | %,d / %,.0f | %s | %s |%n",
          r.model().name(),
          r.stages().stream().map(s -> BenchTables.macs(s.macs())).collect(Collectors.joining(", ")),
          r.stages().stream().map(s -> String.format(Locale.ROOT, "%.0f%%", 100 * s.exitShare()))
              .collect(Collectors.joining(", ")),
          throughput, batch, p99, c.inputRawAtModel(), c.inputPngAtModel(),
          c.points().stream().map(p -> String.format(Locale.ROOT, "%,.0f (%.1fx)", p.recordBytes(),
              p.recordBytes() / c.inputRawAtModel())).collect(Collectors.joining(" / ")),
          c.points().stream().map(p -> String.format(Locale.ROOT, "%,.0f", p.bytesPerImage()))
              .collect(Collectors.joining(" / "))));
    }
    md.append("\n\"(Nx)\": the hand-off record against the raw image at the model's input size. \"Crossing per "
        + "image\": the record's bytes times the share of images still going on after that stage (the others left "
        + "at an exit on the edge). Images as sent: ");
    md.append(reports.stream().map(r -> String.format(Locale.ROOT, "%,.0f bytes raw, %,.0f as PNG",
        r.crossing().inputRawAsSent(), r.crossing().inputPngAsSent())).distinct().collect(Collectors.joining("; ")));
    md.append(".\n");
    return md.toString();
  }

  /** Bytes crossing per image against the split point, one line per backbone, the raw input of each dashed. */
  public static void plot(List<BenchReport> reports, Path file) throws IOException {
    XYChart chart = new XYChartBuilder().width(900).height(640).title("Bytes crossing a split, per image")
        .xAxisTitle("split after stage").yAxisTitle("bytes per image (log)").build();
    Styler styler = chart.getStyler();
    styler.setChartBackgroundColor(Color.WHITE);
    styler.setPlotBackgroundColor(Color.WHITE);
    styler.setLegendPosition(Styler.LegendPosition.OutsideS);
    styler.setLegendLayout(Styler.LegendLayout.Vertical); // one backbone's two series per line would not fit
    chart.getStyler().setYAxisLogarithmic(true);
    int color = 0;
    java.util.Set<String> named = new java.util.HashSet<>();
    for (BenchReport r : reports) {
      Color c = COLORS[color++ % COLORS.length];
      // the same model benched twice still needs two names on the plot
      String name = named.add(r.model().name()) ? r.model().name() : r.model().name() + " (" + color + ")";
      List<Double> x = r.crossing().points().stream().map(p -> (double) p.after()).toList();
      XYSeries crossing = chart.addSeries(name + ", hand-off per image", x,
          r.crossing().points().stream().map(BenchReport.SplitPoint::bytesPerImage).toList());
      crossing.setLineColor(c);
      crossing.setMarkerColor(c);
      crossing.setMarker(SeriesMarkers.CIRCLE);
      XYSeries raw = chart.addSeries(name + ", raw image at its input size", x,
          x.stream().map(v -> (double) r.crossing().inputRawAtModel()).toList());
      raw.setLineColor(c);
      raw.setMarker(SeriesMarkers.NONE);
      raw.setLineStyle(new java.awt.BasicStroke(1.5f, java.awt.BasicStroke.CAP_BUTT, java.awt.BasicStroke.JOIN_MITER,
          10f, new float[] {6f, 4f}, 0f));
    }
    BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
  }
}
