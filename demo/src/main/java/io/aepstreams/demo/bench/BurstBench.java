package io.aepstreams.demo.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.aepstreams.model.bundle.Manifest;
import io.aepstreams.model.bundle.ModelBundle;
import io.aepstreams.model.data.ImageSet;
import io.aepstreams.model.policy.OperatingPoint;
import io.aepstreams.streams.config.AppConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * {@code ./aep bench-burst}: a burst above capacity through the pipeline, with the load controller off and on, on
 * one instance and split. The offered load is {@code burstFactor} times the deployment's every-stage capacity (each
 * image through every stage, measured first on a filled topic) for {@code burstSeconds}, then {@code afterFactor}
 * times it for {@code afterSeconds}; every image is answered before a run ends. Reports p99 latency over time, the
 * operating point over time and the accuracy on the burst's images, with plots.
 */
public final class BurstBench {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  public record Options(Path model, ImageSet images, int splitAfter, double burstFactor, double burstSeconds,
      double afterFactor, double afterSeconds, long sloMs, double maxAccuracyLoss, long intervalMs, int batch,
      long maxDelayMs, int capacityImages, int partitions, Path out, Map<String, String> settings) {}

  /** One second of send time: what was offered, and how the images sent in it were answered. */
  public record Second(int second, int sent, long p50Ms, long p99Ms, double meanPoint, double accuracy) {}

  /** One run: a deployment with the controller off or on. */
  public record Run(String deployment, boolean adaptive, double capacity, double baseCapacity,
      double cheapestCapacity, int cheapestPoint, int images, long duplicates,
      double burstAccuracy, double afterAccuracy, long burstP99Ms, long afterP99Ms, long worstSecondP99Ms,
      double drainSeconds, Map<Integer, Long> burstImagesPerPoint, List<Second> timeline, List<long[]> points) {}

  /** The run's settings, as the report states them. */
  public record Settings(double burstFactor, double burstSeconds, double afterFactor, double afterSeconds, long sloMs,
      double maxAccuracyLoss, long intervalMs, int batch, int partitions) {}

  /** Everything burst.json holds: enough to write the tables and plots again ({@code ./aep bench-burst-table}). */
  public record Report(String model, String machine,
      @com.fasterxml.jackson.annotation.JsonAlias("options") Settings settings, List<OperatingPoint> operatingPoints,
      List<Run> runs) {}

  private BurstBench() {}

  public static List<Run> run(Options o, PrintStream out) throws Exception {
    Manifest manifest = ModelBundle.open(o.model()).manifest();
    if (manifest.operatingPoints().isEmpty()) {
      throw new IllegalArgumentException("bundle " + manifest.name() + " has no operating points (calibrated before "
          + "there were any): ./aep trainer calibrate --model " + o.model() + " makes them");
    }
    out.printf("model: %s %s; operating points (budget, validation accuracy, MACs saved):%n", manifest.name(),
        manifest.version());
    for (OperatingPoint p : manifest.operatingPoints()) {
      out.printf(Locale.ROOT, "  %d%s: %.2f points, %.2f%%, %.1f%%%n", p.index(),
          manifest.defaultPoint().map(d -> d.index() == p.index()).orElse(false) ? " (the bundle's)" : "",
          p.budgetPoints(), p.accuracy() * 100, p.macsSaved() * 100);
    }
    int stages = manifest.stages().size();
    Map<String, List<String>> deployments = new LinkedHashMap<>();
    deployments.put("single", List.of("1-" + stages));
    if (o.splitAfter() > 0) {
      deployments.put("split", List.of("1-" + o.splitAfter(), (o.splitAfter() + 1) + "-" + stages));
    }
    Map<String, String> adaptive = Map.of(AppConfig.SLO_LATENCY_MS, String.valueOf(o.sloMs()),
        AppConfig.SLO_MAX_ACCURACY_LOSS, String.valueOf(o.maxAccuracyLoss()), AppConfig.SLO_INTERVAL_MS,
        String.valueOf(o.intervalMs()));
    List<Run> runs = new ArrayList<>();
    try (BrokerRuns broker = new BrokerRuns(o.model(), manifest, o.settings(), o.partitions())) {
      for (Map.Entry<String, List<String>> deployment : deployments.entrySet()) {
        out.printf("%s %s: measuring the every-stage capacity on %,d images%n", deployment.getKey(),
            deployment.getValue(), o.capacityImages());
        double capacity = broker.throughput(o.images(), o.capacityImages(), o.capacityImages() / 5, o.batch(),
            o.maxDelayMs(), deployment.getValue(), Map.of(AppConfig.POLICY, "off")).imagesPerSecond();
        out.printf(Locale.ROOT, "%s: every-stage capacity %.0f images/s; burst at %.0f/s for %.0f s, then %.0f/s for "
            + "%.0f s%n", deployment.getKey(), capacity, capacity * o.burstFactor(), o.burstSeconds(),
            capacity * o.afterFactor(), o.afterSeconds());
        // What the ladder can buy: the capacity at the bundle's point and at the cheapest the ceiling allows.
        int base = manifest.defaultPoint().map(OperatingPoint::index).orElse(0);
        int cheapest = new io.aepstreams.streams.control.LoadController(manifest.operatingPoints(),
            o.maxAccuracyLoss(), o.sloMs(), o.intervalMs()).cheapestAllowed(base);
        double[] at = new double[2];
        int[] measuredPoints = {base, cheapest};
        for (int k = 0; k < 2; k++) {
          at[k] = broker.throughput(o.images(), o.capacityImages(), o.capacityImages() / 5, o.batch(), o.maxDelayMs(),
              deployment.getValue(), Map.of(AppConfig.POLICY, policySetting(manifest.operatingPoints()
                  .get(measuredPoints[k])))).imagesPerSecond();
          out.printf(Locale.ROOT, "%s: capacity at point %d %.0f images/s (%.2fx every-stage)%n", deployment.getKey(),
              measuredPoints[k], at[k], at[k] / capacity);
        }
        List<BrokerRuns.Phase> phases = List.of(
            new BrokerRuns.Phase("burst", capacity * o.burstFactor(), o.burstSeconds()),
            new BrokerRuns.Phase("after", capacity * o.afterFactor(), o.afterSeconds()));
        for (boolean on : new boolean[] {false, true}) {
          String label = deployment.getKey() + ", controller " + (on ? "on" : "off");
          out.println(label + ":");
          BrokerRuns.Paced paced = broker.paced(o.images(), phases, o.batch(), o.maxDelayMs(), deployment.getValue(),
              on ? adaptive : Map.of(), Duration.ofMinutes(10), line -> out.println("  " + line));
          Run run = summarise(deployment.getKey(), on, capacity, at[0], at[1], cheapest, paced);
          runs.add(run);
          out.printf(Locale.ROOT, "  %s: burst p99 %,d ms, after p99 %,d ms, worst second p99 %,d ms; burst accuracy "
              + "%.2f%%; burst images per point %s; drained %.0f s after the last image; %d duplicates%n", label,
              run.burstP99Ms(), run.afterP99Ms(), run.worstSecondP99Ms(), run.burstAccuracy() * 100,
              run.burstImagesPerPoint(), run.drainSeconds(), run.duplicates());
        }
      }
    }
    write(o.out(), new Report(manifest.name() + " " + manifest.version(), Bench.machine().describe(),
        new Settings(o.burstFactor(), o.burstSeconds(), o.afterFactor(), o.afterSeconds(), o.sloMs(),
            o.maxAccuracyLoss(), o.intervalMs(), o.batch(), o.partitions()), manifest.operatingPoints(), runs));
    return runs;
  }

  /** The aep.policy setting that fixes {@code point}'s thresholds. */
  static String policySetting(OperatingPoint point) {
    return point.thresholds().isEmpty() ? "off" : point.thresholds().entrySet().stream()
        .map(e -> e.getKey() + ":" + e.getValue()).collect(Collectors.joining(","));
  }

  static Run summarise(String deployment, boolean adaptive, double capacity, double baseCapacity,
      double cheapestCapacity, int cheapestPoint, BrokerRuns.Paced paced) {
    List<BrokerRuns.Answer> answers = paced.answers();
    Map<Integer, List<BrokerRuns.Answer>> bySecond = new TreeMap<>();
    long lastSent = 0;
    long lastDecided = 0;
    for (BrokerRuns.Answer a : answers) {
      bySecond.computeIfAbsent((int) ((a.sentAtMs() - paced.startMs()) / 1000), s -> new ArrayList<>()).add(a);
      lastSent = Math.max(lastSent, a.sentAtMs());
      lastDecided = Math.max(lastDecided, a.decidedAtMs());
    }
    List<Second> timeline = new ArrayList<>();
    long worst = 0;
    for (Map.Entry<Integer, List<BrokerRuns.Answer>> second : bySecond.entrySet()) {
      List<BrokerRuns.Answer> in = second.getValue();
      long[] latency = in.stream().mapToLong(a -> a.decidedAtMs() - a.sentAtMs()).sorted().toArray();
      long p99 = percentile(latency, 0.99);
      worst = Math.max(worst, p99);
      timeline.add(new Second(second.getKey(), in.size(), percentile(latency, 0.5), p99,
          in.stream().mapToInt(BrokerRuns.Answer::point).average().orElse(Double.NaN),
          in.stream().filter(BrokerRuns.Answer::correct).count() / (double) in.size()));
    }
    List<BrokerRuns.Answer> burst = answers.stream().filter(a -> a.phase().equals("burst")).toList();
    List<BrokerRuns.Answer> after = answers.stream().filter(a -> a.phase().equals("after")).toList();
    Map<Integer, Long> perPoint = burst.stream().collect(Collectors.groupingBy(BrokerRuns.Answer::point, TreeMap::new,
        Collectors.counting()));
    return new Run(deployment, adaptive, capacity, baseCapacity, cheapestCapacity, cheapestPoint, answers.size(),
        paced.duplicates(), accuracy(burst),
        accuracy(after), p99(burst), p99(after), worst, (lastDecided - lastSent) / 1000.0, perPoint, timeline,
        paced.points());
  }

  private static double accuracy(List<BrokerRuns.Answer> answers) {
    return answers.stream().filter(BrokerRuns.Answer::correct).count() / (double) Math.max(1, answers.size());
  }

  private static long p99(List<BrokerRuns.Answer> answers) {
    return percentile(answers.stream().mapToLong(a -> a.decidedAtMs() - a.sentAtMs()).sorted().toArray(), 0.99);
  }

  private static long percentile(long[] sorted, double q) {
    return sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
  }

  /** Reads a report written by {@link #run}. */
  public static Report read(Path json) throws IOException {
    return JSON.readValue(json.toFile(), Report.class);
  }

  /** Writes burst.json, burst.md and the plots into {@code dir}. */
  public static void write(Path dir, Report report) throws IOException {
    Files.createDirectories(dir);
    JSON.writeValue(dir.resolve("burst.json").toFile(), report);
    Settings o = report.settings();
    List<Run> runs = report.runs();
    for (String deployment : runs.stream().map(Run::deployment).distinct().toList()) {
      List<Run> pair = runs.stream().filter(r -> r.deployment().equals(deployment)).toList();
      XYChart latency = BenchTables.chart(deployment + ": p99 latency to the decision, by second sent ("
          + (int) o.burstSeconds() + " s burst at " + o.burstFactor() + "x capacity, then " + o.afterFactor() + "x)",
          "second the image was sent", "p99 latency (ms, log scale)");
      latency.getStyler().setYAxisLogarithmic(true);
      int color = 0;
      for (Run run : pair) {
        BenchTables.series(latency, "controller " + (run.adaptive() ? "on" : "off"), run.timeline().stream()
            .map(s -> (double) s.second()).toList(), run.timeline().stream().map(s -> (double) Math.max(1,
            s.p99Ms())).toList(), color++).setMarker(SeriesMarkers.NONE);
      }
      BenchTables.series(latency, "objective " + o.sloMs() + " ms", List.of(0.0, o.burstSeconds() + o.afterSeconds()),
          List.of((double) o.sloMs(), (double) o.sloMs()), 3).setMarker(SeriesMarkers.NONE);
      BitmapEncoder.saveBitmap(latency, dir.resolve("burst-latency-" + deployment).toString(),
          BitmapEncoder.BitmapFormat.PNG);
      XYChart points = BenchTables.chart(deployment + ": operating point in force (controller on)",
          "seconds since the first image was sent", "point (0: the smallest budget)");
      for (Run run : pair) {
        if (run.adaptive()) {
          BenchTables.series(points, "point in force", run.points().stream().map(p -> p[0] / 1000.0).toList(),
              run.points().stream().map(p -> (double) p[1]).toList(), 1).setMarker(SeriesMarkers.NONE);
          BenchTables.series(points, "end of the burst", List.of(o.burstSeconds(), o.burstSeconds()),
              List.of(0.0, (double) report.operatingPoints().size() - 1), 3).setMarker(SeriesMarkers.NONE);
        }
      }
      BitmapEncoder.saveBitmap(points, dir.resolve("burst-points-" + deployment).toString(),
          BitmapEncoder.BitmapFormat.PNG);
    }
    Files.writeString(dir.resolve("burst.md"), markdown(report));
  }

  /**
   * Seconds after the burst's end until the p99 of every later second is within the objective: how long the queue
   * the burst left takes to clear; -1 if it never does within the run.
   */
  static double recoveredAfter(Run run, Settings o) {
    int recovered = -1;
    for (Second s : run.timeline()) {
      if (s.second() < o.burstSeconds()) {
        continue;
      }
      if (s.p99Ms() > o.sloMs()) {
        recovered = -1;
      } else if (recovered < 0) {
        recovered = s.second();
      }
    }
    return recovered < 0 ? -1 : recovered - o.burstSeconds();
  }

  static String markdown(Report report) {
    Settings o = report.settings();
    StringBuilder md = new StringBuilder();
    md.append("# A burst above capacity, the load controller off and on\n\n");
    md.append(String.format(Locale.ROOT, "Model %s. Offered load: %.1fx the deployment's every-stage capacity for "
        + "%.0f s, then %.1fx for %.0f s. Objective %d ms (aep.slo.latency-ms), ceiling %.2f points "
        + "(aep.slo.max-accuracy-loss), controller every %d ms; batches of %d, %d partitions, exactly-once. Latency is "
        + "sent to decided; capacities are images/s on a filled topic, every stage, at the bundle's point and at the "
        + "cheapest point the ceiling allows. %s.%n%n", report.model(), o.burstFactor(), o.burstSeconds(),
        o.afterFactor(), o.afterSeconds(), o.sloMs(), o.maxAccuracyLoss(), o.intervalMs(), o.batch(), o.partitions(),
        report.machine()));
    md.append("| deployment | controller | capacity: every stage / bundle's point / cheapest allowed | images | burst p99 "
        + "| worst 1-s p99 | after p99 | p99 within the objective again | burst accuracy | after accuracy "
        + "| burst images per point | duplicates |\n");
    md.append("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (Run r : report.runs()) {
      double recovered = recoveredAfter(r, o);
      md.append(String.format(Locale.ROOT, "| %s | %s | %.0f / %.0f / %.0f (point %d) | %,d | %,d ms | %,d ms | %,d ms "
          + "| %s | %.2f%% | %.2f%% | %s | %d |%n", r.deployment(), r.adaptive() ? "on" : "off", r.capacity(),
          r.baseCapacity(), r.cheapestCapacity(), r.cheapestPoint(), r.images(), r.burstP99Ms(), r.worstSecondP99Ms(),
          r.afterP99Ms(), recovered < 0 ? "not within the run" : String.format(Locale.ROOT, "%.0f s after the burst",
              recovered), r.burstAccuracy() * 100, r.afterAccuracy() * 100, r.burstImagesPerPoint(),
          r.duplicates()));
    }
    md.append("\nOperating points of the bundle (validation): ");
    md.append(report.operatingPoints().stream().map(p -> String.format(Locale.ROOT, "%d: %.2f points, %.2f%%, "
        + "%.1f%% MACs saved", p.index(), p.budgetPoints(), p.accuracy() * 100, p.macsSaved() * 100))
        .collect(Collectors.joining("; ")));
    md.append(".\n\nPlots: ");
    md.append(report.runs().stream().map(Run::deployment).distinct().map(d -> "`burst-latency-" + d
        + ".png`, `burst-points-" + d + ".png`").collect(Collectors.joining(", "))).append(".\n");
    return md.toString();
  }
}
