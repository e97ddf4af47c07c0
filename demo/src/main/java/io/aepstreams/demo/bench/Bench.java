package io.aepstreams.demo.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import io.aepstreams.model.bundle.Manifest;
import io.aepstreams.model.bundle.ModelBundle;
import io.aepstreams.model.bundle.StagedModel;
import io.aepstreams.model.data.ImageSet;
import io.aepstreams.model.policy.ExitPolicy;
import io.aepstreams.streams.config.AppConfig;
import io.aepstreams.streams.config.Batching;
import io.aepstreams.streams.config.Threads;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code ./aep bench}: the model's own throughput, the pipeline's against it, what early exits gain, latency at
 * half the measured maximum, and memory over a long run; one machine, one run, so the ratios compare like with like.
 */
public final class Bench {
  /** Passes of the model loop per batch size and policy; the best counts (the others lost time to the machine). */
  static final int ROUNDS = 3;
  /** Images whose input and hand-off records are sized. */
  static final int CROSSING_SAMPLE = 200;

  /**
   * @param batchSizes the batch sizes to measure; the latency and memory runs use the default batch, or the
   *     largest measured one where the default is not among them
   * @param latencyLoads the latency runs' offered rates, each a share of the pipeline's measured maximum
   * @param memoryLoad the memory run's offered rate, as a share of the pipeline's measured maximum
   * @param splitAfter where the split deployment is cut; -1: after the first kept exit; 0: no split
   * @param settings extra settings for the pipeline's instances, as {@code ./aep run --set}
   * @param gainRounds rounds of early exits against every stage in the pipeline, alternating; the median counts
   * @param broker where the broker runs: {@code own-process} (a JVM of its own on this machine), {@code in-jvm}, or
   *     the {@code bootstrap.servers} of one already running
   * @param handoffRuns whether to run the split with each hand-off encoding too
   */
  public record Options(Path model, ImageSet images, List<Integer> batchSizes, long maxDelayMs, int rawImages,
      int pipelineImages, double latencySeconds, List<Double> latencyLoads, int splitAfter, long memoryImages,
      double memoryLoad, int partitions, Path out, Map<String, String> settings, int gainRounds, String broker,
      boolean handoffRuns) {}

  /** Where a broker of the bench's own runs by default. */
  public static final String OWN_PROCESS = "own-process";
  public static final String IN_JVM = "in-jvm";

  private Bench() {}

  public static BenchReport run(Options options, PrintStream out) throws Exception {
    Map<String, String> instanceSettings = new java.util.HashMap<>(options.settings());
    instanceSettings.put(AppConfig.MODEL, options.model().toString());
    // before anything loads the engine: the model loop and the pipeline run with the instances' thread layout
    // the layout each instance narrows to on topics of this many partitions, as PipelineInstance does
    Threads threads = AppConfig.from(instanceSettings).threads().forPartitions(options.partitions());
    int engineThreads = threads.applyToEngine();
    ModelBundle bundle = ModelBundle.open(options.model());
    Manifest manifest = bundle.manifest();
    ExitPolicy policy = AppConfig.from(Map.of(AppConfig.MODEL, options.model().toString()))
        .policy().orElse(manifest.policy());
    int stages = manifest.stages().size();
    int splitAfter = options.splitAfter() >= 0 ? options.splitAfter() : firstSplitOf(manifest);
    if (splitAfter >= stages) {
      throw new IllegalArgumentException("--split-after " + splitAfter + " leaves nothing for the second "
          + "instance: the model has " + stages + " stages");
    }
    BenchReport.Machine machine = machine();
    out.printf("machine: %d cores (%s), %.1f GiB, %s; %s; %s%n", machine.cores(), machine.cpu(), machine.memoryGiB(),
        machine.os(), machine.jvm(), machine.engine());
    out.printf("model: %s %s, %d stages, exits %s, thresholds %s (%s)%n", manifest.name(), manifest.version(), stages,
        manifest.exitStages(), BenchTables.thresholds(policy.thresholds()), policy.confidence());

    List<BenchReport.RawRow> raw = new ArrayList<>();
    List<BenchReport.PipelineRow> pipeline = new ArrayList<>();
    List<BenchReport.LatencyRow> latency = new ArrayList<>();
    List<BrokerRuns.HandoffRun> handoffRuns = new ArrayList<>();
    List<BenchReport.StageRow> stageRows;
    BenchReport.Crossing crossing;
    BenchReport.EarlyExit earlyExit;
    BenchReport.Memory memory = null;
    String single = "1-" + stages;
    List<String> split = splitAfter > 0 ? List.of("1-" + splitAfter, (splitAfter + 1) + "-" + stages) : List.of();
    int mainBatch = options.batchSizes().contains(Batching.DEFAULT.maxSize()) ? Batching.DEFAULT.maxSize()
        : options.batchSizes().get(options.batchSizes().size() - 1);
    int loops = threads.streamThreads();
    // the engine's count as applied (a -Dai.djl.pytorch.num_threads given wins), in the instances' own words
    out.printf("threads: per instance %s; the model loop runs %d loop(s) at once%n",
        new Threads(loops, engineThreads, threads.passThreads()).describe(), loops);
    Files.createDirectories(options.out());
    Broker where = switch (options.broker()) {
      // its log beside the system's temporary files, not among the results
      case OWN_PROCESS -> Broker.ownProcess(Files.createTempFile("aep-bench-broker-", ".log"));
      case IN_JVM -> Broker.inJvm();
      default -> Broker.external(options.broker());
    };
    String brokerWords = where.description();
    out.println("broker: " + brokerWords + "; every pipeline run below is exactly-once");
    try (NDManager manager = NDManager.newBaseManager(); StagedModel model = StagedModel.all(bundle, manager);
        BrokerRuns broker = new BrokerRuns(options.model(), manifest, options.settings(), options.partitions(),
            where)) {
      ModelLoop loop = new ModelLoop(model, manager, options.images(), options.rawImages());
      ExitPolicy off = ExitPolicy.off(policy.confidence());
      loop.run(policy, options.batchSizes().get(0), loops); // warm-up: JIT and the engine's first passes
      ModelLoop.Pass shares = loop.run(policy, mainBatch, loops);
      stageRows = new ArrayList<>();
      for (Manifest.Stage stage : manifest.stages()) {
        stageRows.add(new BenchReport.StageRow(stage.stage(), stage.params(), stage.macs(),
            shares.exitShares().getOrDefault(stage.stage(), 0.0)));
      }
      crossing = Crossings.measure(model, manager, policy, options.images(), shares.exitShares(), CROSSING_SAMPLE,
          mainBatch);
      out.print(BenchTables.crossingMarkdown(crossing));
      int warmup = Math.min(options.pipelineImages() / 5, 1000);
      warmUp(broker, options, warmup, mainBatch, single, out);
      for (int batch : options.batchSizes()) {
        // 1 and 3: the model alone, early exits against every stage, alternating so that both see the same
        // machine; then 2, the pipeline; then the model loop again, so that a slower spell of this shared
        // machine during either does not pass for a difference between them.
        ModelLoop.Pass bestExits = null;
        ModelLoop.Pass bestAll = null;
        for (int round = 0; round < ROUNDS; round++) {
          bestExits = faster(bestExits, loop.run(policy, batch, loops));
          bestAll = faster(bestAll, loop.run(off, batch, loops));
        }
        BrokerRuns.Throughput t = broker.throughput(options.images(), options.pipelineImages(), warmup, batch,
            options.maxDelayMs(), List.of(single), Map.of());
        // the split's own maximum: its latency runs are offered a share of it, as the single's are of its own
        double splitMax = split.isEmpty() ? Double.NaN : broker.throughput(options.images(), options.pipelineImages(),
            warmup, batch, options.maxDelayMs(), split, Map.of()).imagesPerSecond();
        bestExits = faster(bestExits, loop.run(policy, batch, loops));
        bestAll = faster(bestAll, loop.run(off, batch, loops));
        BenchReport.RawRow row = new BenchReport.RawRow(batch, bestExits.imagesPerSecond(),
            bestAll.imagesPerSecond(), bestExits.cpuMillisPerImage(), bestExits.accuracy(), bestAll.accuracy(),
            bestExits.macsPerImage(), bestAll.macsPerImage(), bestExits.stageMillisPerImage(),
            bestAll.stageMillisPerImage());
        raw.add(row);
        Map<String, Double> parts = new java.util.LinkedHashMap<>();
        t.cpuByPart().forEach((part, ms) -> parts.put(part.name(), ms));
        pipeline.add(new BenchReport.PipelineRow(batch, t.imagesPerSecond(), t.cpuMillisPerImage(), t.meanBatch(),
            t.imagesPerSecond() / row.exitsPerSecond(), parts, t.meanBatchByStage(), splitMax,
            t.releasedFullShare()));
        out.printf(Locale.ROOT, "batch %d: model loop %,.0f images/s with early exits (%.2f ms CPU each), %,.0f every "
            + "stage; pipeline %,.0f images/s (%.0f%% of the model loop, %.2f ms CPU each in this process), "
            + "stage-1 batches of %.1f on average%n", batch, row.exitsPerSecond(), row.exitsCpuMillis(),
            row.allStagesPerSecond(), t.imagesPerSecond(), 100 * t.imagesPerSecond() / row.exitsPerSecond(),
            t.cpuMillisPerImage(), t.meanBatch());
        if (!split.isEmpty()) {
          out.printf(Locale.ROOT, "  split %s: %,.0f images/s%n", String.join(" + ", split), splitMax);
        }
        out.println("  CPU ms per image: " + BenchTables.parts(parts));
        out.println("  " + BenchTables.ceiling(Runtime.getRuntime().availableProcessors(), pipeline.get(
            pipeline.size() - 1), row));
        out.printf(Locale.ROOT, "  mean images per forward pass, by stage: %s; first-stage batches gone on full: "
            + "%.0f%% (the rest on their delay)%n", BenchTables.batches(t.meanBatchByStage()),
            100 * t.releasedFullShare());
      }
      // 3, in the pipeline: early exits against every stage for every image at the main batch size, in rounds
      // that alternate which goes first, so that a slower spell of the machine weighs on both alike.
      List<BenchReport.GainRound> rounds = new ArrayList<>();
      for (int round = 0; round < options.gainRounds(); round++) {
        double exits = 0;
        double all = 0;
        for (int leg = 0; leg < 2; leg++) {
          boolean withExits = (round + leg) % 2 == 0;
          double rate = broker.throughput(options.images(), options.pipelineImages(), warmup, mainBatch,
              options.maxDelayMs(), List.of(single), withExits ? Map.of() : Map.of(AppConfig.POLICY, "off"))
              .imagesPerSecond();
          if (withExits) {
            exits = rate;
          } else {
            all = rate;
          }
        }
        rounds.add(new BenchReport.GainRound(exits, all, exits / all - 1));
        out.printf(Locale.ROOT, "early exits, round %d of %d: %,.0f against %,.0f images/s every stage (%+.0f%%)%n",
            round + 1, options.gainRounds(), exits, all, 100 * (exits / all - 1));
      }
      BenchReport.RawRow mainRaw = raw.stream().filter(r -> r.batch() == mainBatch).findFirst().orElseThrow();
      double pipelineExits = pipeline.stream().filter(r -> r.batch() == mainBatch).findFirst().orElseThrow()
          .imagesPerSecond();
      double predicted = mainRaw.allStagesMacs() / mainRaw.exitsMacs() - 1;
      double rawGain = mainRaw.exitsPerSecond() / mainRaw.allStagesPerSecond() - 1;
      double stagePredicted = ModelLoop.stageTimePredictedGain(mainRaw.allStagesStageMillis(), shares.exitShares());
      List<Double> gains = rounds.stream().map(BenchReport.GainRound::gain).sorted().toList();
      double pipelineGain = median(gains);
      double pipelineAll = median(rounds.stream().map(BenchReport.GainRound::allStagesPerSecond).sorted().toList());
      earlyExit = new BenchReport.EarlyExit(mainBatch, 1 - mainRaw.exitsMacs() / mainRaw.allStagesMacs(), predicted,
          rawGain, rawGain / predicted, pipelineAll, pipelineGain, pipelineGain / predicted, mainRaw.exitsAccuracy(),
          mainRaw.allStagesAccuracy(), (mainRaw.allStagesAccuracy() - mainRaw.exitsAccuracy()) * 100, rounds,
          gains.get(0), gains.get(gains.size() - 1), stagePredicted);
      out.printf(Locale.ROOT, "early exits, batch %d: %.1f%% of the MACs saved predict %.0f%% more images/s; the "
          + "model loop gains %.0f%%, the pipeline %.0f%% (median of %d rounds, %.0f%% to %.0f%%)%n", mainBatch,
          100 * earlyExit.macsSaved(), 100 * predicted, 100 * rawGain, 100 * pipelineGain, rounds.size(),
          100 * gains.get(0), 100 * gains.get(gains.size() - 1));
      out.printf(Locale.ROOT, "  the stages' own times at full batches (ms per image: %s) predict %.0f%% more: the model "
          + "loop delivers %.0f%% of that, the pipeline %.0f%%; with exits the stages ran at %s ms per image%n",
          BenchTables.stageMillis(mainRaw.allStagesStageMillis()), 100 * stagePredicted,
          100 * rawGain / stagePredicted, 100 * pipelineGain / stagePredicted,
          BenchTables.stageMillis(mainRaw.exitsStageMillis()));

      // 4: latency at shares (by default half and 80%) of the maximum of each batch size and topology, measured
      // with images arriving just before its latency runs (BrokerRuns.liveMaximum says why).
      for (BenchReport.PipelineRow row : pipeline) {
        List<List<String>> topologies = split.isEmpty() ? List.of(List.of(single)) : List.of(List.of(single), split);
        for (List<String> ranges : topologies) {
          String name = ranges.size() == 1 ? "single" : "split " + String.join(" + ", ranges);
          double backlog = ranges.size() == 1 || Double.isNaN(row.splitImagesPerSecond()) ? row.imagesPerSecond()
              : row.splitImagesPerSecond();
          BrokerRuns.LiveMaximum live = liveMaximum(broker, options, backlog, row.batch(), ranges);
          out.printf(Locale.ROOT, "maximum, batch %d, %s, with images arriving at %,.0f/s: %,.0f images/s (%,.0f from "
              + "a topic written beforehand)%s%n", row.batch(), name, live.offeredRate(), live.imagesPerSecond(),
              backlog, live.saturated() ? "" : "; it kept up, so this is the offered rate, not its maximum");
          for (double load : options.latencyLoads()) {
            double rate = live.imagesPerSecond() * load;
            BrokerRuns.Latency l = broker.latency(options.images(), rate, options.latencySeconds(), 3, row.batch(),
                options.maxDelayMs(), ranges);
            latency.add(new BenchReport.LatencyRow(row.batch(), name, l, load, live.imagesPerSecond()));
            out.printf(Locale.ROOT, "latency, batch %d, %s, %,.0f images/s offered (%.0f%% of the maximum): read p50 "
                + "%d ms, p99 %d ms, p99.9 %d ms (decided p50 %d, p99 %d)%n", row.batch(), name, rate, 100 * load,
                l.readP50(), l.readP99(), l.readP999(), l.decidedP50(), l.decidedP99());
          }
        }
      }

      // 4b: the split at the main batch size with each hand-off encoding, compressed with zstd (and float32 as
      // it was, uncompressed): what the broker holds per image, beside the latency.
      if (!split.isEmpty() && options.handoffRuns()) {
        double rate = pipelineExits * options.latencyLoads().get(0);
        List<String[]> settings = List.of(new String[] {"float32", "none"}, new String[] {"float32", "zstd"},
            new String[] {"float16", "zstd"}, new String[] {"int8", "zstd"});
        for (String[] setting : settings) {
          BrokerRuns.HandoffRun run = broker.handoffs(options.images(), rate, options.latencySeconds(), mainBatch,
              options.maxDelayMs(), split, setting[0], setting[1]);
          handoffRuns.add(run);
          out.printf(Locale.ROOT, "hand-offs, batch %d, %s + %s: %,.0f bytes on the broker per image sent (%,.0f per "
              + "hand-off), read p99 %d ms%n", mainBatch, setting[0], setting[1],
              (double) run.brokerBytes() / run.imagesSent(), (double) run.brokerBytes() / Math.max(1, run.handedOn()),
              run.latency().readP99());
        }
      }

      // 5: resident memory over a long run.
      if (options.memoryImages() > 0) {
        var heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        if (heap.getInit() < heap.getMax()) {
          out.println("note: the Java heap may grow from " + heap.getInit() / 1048576 + " to " + heap.getMax() / 1048576
              + " MiB, and the resident set with it; for a leak check fix it: AEP_JAVA_OPTS='-Xms2g -Xmx2g "
              + "-XX:+AlwaysPreTouch'");
        }
        double rate = options.memoryLoad() * pipelineExits;
        long every = Math.max(1000, options.memoryImages() / 200);
        long started = System.nanoTime();
        List<BrokerRuns.MemorySample> samples = broker.memory(options.images(), options.memoryImages(), rate,
            mainBatch, options.maxDelayMs(), every, Bench::residentBytes, s -> {
              if (s.images() % (every * 10) < every) {
                double seconds = (System.nanoTime() - started) / 1e9;
                out.printf(Locale.ROOT, "memory run: %,d of %,d answered, RSS %.0f MiB, heap in use %.0f MiB, %.0f s%n",
                    s.images(), options.memoryImages(), s.rssMiB(), s.heapMiB(), seconds);
              }
            });
        memory = memory(options.memoryImages(), rate, samples);
        out.printf(Locale.ROOT, "memory: RSS %.0f MiB after warm-up, %.0f MiB at the end, %.0f MiB at most: %+.1f%%%n",
            memory.warmupRssMiB(), memory.finalRssMiB(), memory.maxRssMiB(), memory.growthPercent());
      }
    }
    BenchReport report = new BenchReport(machine, new BenchReport.ModelInfo(manifest.name(), manifest.version(),
        stages, manifest.exitStages(), policy.thresholds(), policy.confidence().name(), manifest.macsUpTo(stages)),
        new BenchReport.Settings(options.batchSizes(), options.maxDelayMs(), options.rawImages(),
            options.pipelineImages(), options.latencySeconds(), options.latencyLoads().get(0), splitAfter,
            options.memoryImages(), options.memoryLoad(), options.partitions(), options.settings(),
            options.latencyLoads(), options.gainRounds(), brokerWords, loops, engineThreads, threads.passThreads()),
        raw, pipeline, earlyExit, latency, memory, List.of(), stageRows, crossing, handoffRuns);
    report = new BenchReport(report.machine(), report.model(), report.settings(), raw, pipeline, earlyExit, latency,
        memory, BenchTables.targets(report), stageRows, crossing, handoffRuns);
    BenchTables.write(report, options.out());
    out.print(BenchTables.markdown(report));
    out.printf("written: %s (bench.json, bench.md, throughput.png, latency.png, cpu.png%s)%n", options.out(),
        memory == null ? "" : ", memory.png");
    return report;
  }

  /**
   * Where a split deployment is cut by default: after the first kept exit, so that the edge instance answers the
   * images that can leave there and hands over only the rest; no split when that exit is the last stage.
   */
  public static int firstSplitOf(Manifest manifest) {
    int first = manifest.exitStages().get(0);
    return first < manifest.stages().size() ? first : 0;
  }

  /** Warm-up runs end once the JIT compilers take less than this share of a run's wall time, in either JVM. */
  static final double WARM_JIT_SHARE = 0.02;
  static final int MAX_WARMUP_RUNS = 12;

  /**
   * Pipeline runs not counted, at the main batch size, until the JIT compilers of this JVM and of the broker's are
   * done with the code they run: in the first minutes they take a third of a core (0.4 ms of CPU per image here),
   * which a short run would count as the pipeline's, and a long-running instance and broker do not pay.
   */
  private static void warmUp(BrokerRuns broker, Options options, int warmup, int batch, String single,
      PrintStream out) throws Exception {
    var compiler = ManagementFactory.getCompilationMXBean();
    for (int run = 1; run <= MAX_WARMUP_RUNS; run++) {
      long start = System.nanoTime();
      long here = compiler.getTotalCompilationTime();
      java.util.OptionalLong there = broker.brokerJitMillis();
      broker.throughput(options.images(), Math.min(options.pipelineImages(), 5000), warmup, batch,
          options.maxDelayMs(), List.of(single), Map.of());
      double wallMs = (System.nanoTime() - start) / 1e6;
      double hereShare = (compiler.getTotalCompilationTime() - here) / wallMs;
      java.util.OptionalLong thereAfter = broker.brokerJitMillis();
      double thereShare = there.isPresent() && thereAfter.isPresent()
          ? (thereAfter.getAsLong() - there.getAsLong()) / wallMs : 0;
      out.printf(Locale.ROOT, "warm-up run %d at batch %d, not counted: JIT compilers %.1f%% of the run here, %.1f%% "
          + "in the broker%n", run, batch, 100 * hereShare, 100 * thereShare);
      if (run >= 2 && hereShare < WARM_JIT_SHARE && thereShare < WARM_JIT_SHARE) {
        return;
      }
    }
  }

  /** The middle of {@code sorted} (the mean of the two middle ones for an even count). */
  static double median(List<Double> sorted) {
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  private static ModelLoop.Pass faster(ModelLoop.Pass best, ModelLoop.Pass pass) {
    return best == null || pass.imagesPerSecond() > best.imagesPerSecond() ? pass : best;
  }

  /**
   * The maximum with images arriving: offered 1.5 times the rate read from a backlog, and again at twice what it
   * offered while the pipeline kept up (a faster spell of the machine), three tries at most.
   */
  private static BrokerRuns.LiveMaximum liveMaximum(BrokerRuns broker, Options options, double backlog, int batch,
      List<String> ranges) throws Exception {
    double rate = 1.5 * backlog;
    BrokerRuns.LiveMaximum live = null;
    for (int attempt = 0; attempt < 3 && (live == null || !live.saturated()); attempt++, rate *= 2) {
      live = broker.liveMaximum(options.images(), rate, options.latencySeconds(), 3, batch, options.maxDelayMs(),
          ranges);
    }
    return live;
  }

  /** Warm-up is the first tenth of the run; growth is the largest sample after it against the first after it. */
  static BenchReport.Memory memory(long images, double rate, List<BrokerRuns.MemorySample> samples) {
    long warm = images / 10;
    List<BrokerRuns.MemorySample> after = samples.stream().filter(s -> s.images() >= warm).toList();
    if (after.isEmpty()) {
      after = samples;
    }
    double first = after.get(0).rssMiB();
    double last = after.get(after.size() - 1).rssMiB();
    double max = after.stream().mapToDouble(BrokerRuns.MemorySample::rssMiB).max().orElse(first);
    return new BenchReport.Memory(images, rate, first, last, max, 100 * (max - first) / first, samples);
  }

  /** This process's resident set, from /proc (Linux); -1 elsewhere. */
  static long residentBytes() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | NumberFormatException e) {
      // not Linux
    }
    return -1;
  }

  /** This machine, in the words every report of the demo module gives it. */
  public static BenchReport.Machine machine() {
    String cpu = "unknown CPU";
    try {
      cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
          .map(l -> l.substring(l.indexOf(':') + 1).strip()).findFirst().orElse(cpu);
    } catch (IOException e) {
      // not Linux
    }
    double memory = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getTotalMemorySize() / (1024.0 * 1024 * 1024);
    Engine engine = Engine.getInstance();
    return new BenchReport.Machine(Runtime.getRuntime().availableProcessors(), cpu, memory,
        System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"),
        System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"),
        engine.getEngineName() + " " + engine.getVersion() + " (DJL " + Engine.getDjlVersion() + ", "
            + engine.defaultDevice() + ")",
        Instant.now().toString());
  }
}
