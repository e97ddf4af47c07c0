package io.aepstreams.trainer.compare;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The comparison's plots, as PNG files beside the numbers. */
public final class Charts {
  private static final Color[] COLORS = {new Color(0x444444), new Color(0x1f77b4), new Color(0x2ca02c),
      new Color(0xd62728), new Color(0x9467bd), new Color(0xff7f0e)};

  private Charts() {}

  /** Test accuracy against MACs per image for every exit subset of every scheme; the chosen subsets circled. */
  static void accuracyVsMacs(List<SchemeResult> results, Path file) throws IOException {
    XYChart chart = new XYChartBuilder().width(900).height(600)
        .title("Every exit subset: test accuracy against compute")
        .xAxisTitle("MACs per image (millions)").yAxisTitle("test top-1 accuracy (%)").build();
    style(chart);
    chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
    chart.getStyler().setMarkerSize(8);
    int color = 0;
    List<Double> chosenX = new ArrayList<>();
    List<Double> chosenY = new ArrayList<>();
    for (SchemeResult result : results) {
      List<Double> x = new ArrayList<>();
      List<Double> y = new ArrayList<>();
      for (SchemeResult.SubsetResult subset : result.subsets()) {
        x.add(subset.macs() / 1e6);
        y.add(subset.testAccuracy() * 100);
        if (subset.exits().equals(result.chosenSubset())) {
          chosenX.add(subset.macs() / 1e6);
          chosenY.add(subset.testAccuracy() * 100);
        }
      }
      XYSeries series = chart.addSeries(result.scheme(), x, y);
      series.setMarkerColor(COLORS[color++ % COLORS.length]);
      series.setMarker(result.scheme().equals("SINGLE") ? SeriesMarkers.DIAMOND : SeriesMarkers.CIRCLE);
    }
    // drawn last, so the cross sits on top of the chosen subset's dot
    XYSeries chosen = chart.addSeries("chosen by pruning (validation)", chosenX, chosenY);
    chosen.setMarker(SeriesMarkers.CROSS);
    chosen.setMarkerColor(Color.BLACK);
    BitmapEncoder.saveBitmap(chart, withoutExtension(file), BitmapEncoder.BitmapFormat.PNG);
  }

  /** Each exit's own test accuracy, per scheme. */
  static void exitAccuracy(List<SchemeResult> results, Path file) throws IOException {
    XYChart chart = new XYChartBuilder().width(900).height(600).title("Accuracy of each exit on its own (test)")
        .xAxisTitle("exit (after stage)").yAxisTitle("test top-1 accuracy (%)").build();
    style(chart);
    chart.getStyler().setXAxisDecimalPattern("0");
    int color = 0;
    for (SchemeResult result : results) {
      List<Double> x = result.trainedExits().stream().map(Integer::doubleValue).toList();
      List<Double> y = result.testExitAccuracies().stream().map(a -> a * 100).toList();
      XYSeries series = chart.addSeries(result.scheme(), x, y);
      Color c = COLORS[color++ % COLORS.length];
      series.setLineColor(c);
      series.setMarkerColor(c);
      series.setMarker(SeriesMarkers.CIRCLE);
      series.setLineStyle(new BasicStroke(2f));
    }
    BitmapEncoder.saveBitmap(chart, withoutExtension(file), BitmapEncoder.BitmapFormat.PNG);
  }

  /** Where test images leave after calibration, per scheme. */
  static void exitShares(List<SchemeResult> results, Path file) throws IOException {
    CategoryChart chart = new CategoryChartBuilder().width(900).height(600)
        .title("Share of test images leaving at each exit (calibrated)")
        .xAxisTitle("exit (after stage)").yAxisTitle("share of test images (%)").build();
    style(chart);
    chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
    int color = 0;
    for (SchemeResult result : results) {
      List<String> x = new ArrayList<>();
      List<Double> y = new ArrayList<>();
      for (int stage = 1; stage <= 4; stage++) {
        x.add(String.valueOf(stage));
        Map<Integer, Double> shares = result.calibration().test().exitShares();
        y.add(shares.getOrDefault(stage, 0.0) * 100);
      }
      chart.addSeries(result.scheme(), x, y).setFillColor(COLORS[color++ % COLORS.length]);
    }
    BitmapEncoder.saveBitmap(chart, withoutExtension(file), BitmapEncoder.BitmapFormat.PNG);
  }

  /** One model's ladder of operating points. */
  public record Curve(String name, List<SchemeResult.Point> points) {}

  /**
   * Test accuracy against expected MACs per image along each ladder of operating points, each point marked (the
   * legend lists their budgets in order), beside the network run whole: the trade-off a running deployment moves
   * along.
   */
  public static void operatingPoints(List<Curve> curves, String title, Path file) throws IOException {
    XYChart chart = new XYChartBuilder().width(900).height(600).title(title)
        .xAxisTitle("expected MACs per image (millions)").yAxisTitle("test top-1 accuracy (%)").build();
    style(chart);
    chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE);
    chart.getStyler().setMarkerSize(9);
    int color = 0;
    for (Curve curve : curves) {
      Color c = COLORS[(color++ + 1) % COLORS.length];
      List<Double> x = curve.points().stream().map(p -> p.test().expectedMacs() / 1e6).toList();
      List<Double> y = curve.points().stream().map(p -> p.test().accuracy() * 100).toList();
      XYSeries series = chart.addSeries(curve.name() + " (points " + curve.points().stream()
          .map(p -> trim(p.budgetPoints())).collect(java.util.stream.Collectors.joining(", ")) + " below full)", x, y);
      series.setLineColor(c);
      series.setMarkerColor(c);
      series.setMarker(SeriesMarkers.CIRCLE);
      series.setLineStyle(new BasicStroke(2f));
      SchemeResult.Point any = curve.points().get(0);
      XYSeries full = chart.addSeries(curve.name() + ": every kept stage", List.of(any.test().fullMacs() / 1e6),
          List.of(any.test().fullAccuracy() * 100));
      full.setMarker(SeriesMarkers.DIAMOND);
      full.setMarkerColor(c);
      full.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
    }
    BitmapEncoder.saveBitmap(chart, withoutExtension(file), BitmapEncoder.BitmapFormat.PNG);
  }

  private static String trim(double budget) {
    return budget == Math.rint(budget) ? String.valueOf((long) budget) : String.valueOf(budget);
  }

  private static void style(org.knowm.xchart.internal.chartpart.Chart<?, ?> chart) {
    Styler styler = chart.getStyler();
    styler.setChartBackgroundColor(Color.WHITE);
    styler.setPlotBackgroundColor(Color.WHITE);
    styler.setLegendPosition(Styler.LegendPosition.InsideSE);
    styler.setAntiAlias(true);
  }

  private static String withoutExtension(Path file) {
    String name = file.toString();
    return name.endsWith(".png") ? name.substring(0, name.length() - 4) : name;
  }
}
