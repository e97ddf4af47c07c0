package io.aepstreams.demo.cli;

import io.aepstreams.model.data.Datasets;
import io.aepstreams.model.data.ImageSet;
import io.aepstreams.demo.bench.Bench;
import io.aepstreams.streams.config.Batching;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "bench", mixinStandardHelpOptions = true,
    description = {"Measures, on this machine in one run: the model's own throughput (its stages in a plain loop, "
        + "no Kafka) at each batch size; the pipeline's with exactly-once on, its CPU per image by who spent it "
        + "(model, the stream threads' Kafka work, client threads, JVM, broker), the broker in a process of its own "
        + "(--broker); early exits against every stage for every image (throughput in alternating rounds, and "
        + "accuracy); latency at shares of the measured maximum (--latency-load), one instance and split; resident "
        + "memory over a long run. Prints a table; writes bench.json, bench.md and plots to --out.",
        "Streams the Fashion-MNIST test images (repeated where more are needed)."})
final class BenchCommand implements Callable<Integer> {
  @Mixin FashionMnistOptions inputs;

  @Option(names = "--batch-sizes", split = ",", description = "Batch sizes to measure (default: 1,8,32,64).")
  List<Integer> batchSizes = new ArrayList<>(List.of(1, 8, 32, 64));

  @Option(names = "--max-delay-ms", description = "Longest an image waits for its batch (default: ${DEFAULT-VALUE}).")
  long maxDelayMs = Batching.DEFAULT.maxDelayMs();

  @Option(names = "--model-images", description = "Images per pass of the model loop (default: ${DEFAULT-VALUE}).")
  int rawImages = 3000;

  @Option(names = "--pipeline-images", description = "Images per pipeline throughput run "
      + "(default: ${DEFAULT-VALUE}).")
  int pipelineImages = 10000;

  @Option(names = "--latency-seconds", description = "Seconds of images per latency run (default: ${DEFAULT-VALUE}).")
  double latencySeconds = 15;

  @Option(names = "--latency-load", split = ",", description = "The latency runs' offered rates, each a share of "
      + "the pipeline's maximum at each batch size, measured with images arriving just before them "
      + "(default: 0.5,0.8).")
  List<Double> latencyLoads = new ArrayList<>(List.of(0.5, 0.8));

  @Option(names = "--gain-rounds", description = "Rounds of early exits against every stage in the pipeline, "
      + "alternating; the median counts (default: ${DEFAULT-VALUE}).")
  int gainRounds = 5;

  @Option(names = "--broker", description = "Where the broker runs: own-process (a JVM of its own on this machine, "
      + "as in production), in-jvm, or the bootstrap servers of a running one, HOST:PORT "
      + "(default: ${DEFAULT-VALUE}).")
  String broker = Bench.OWN_PROCESS;

  @Option(names = "--handoff-runs", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "Run the split at the main batch size with each hand-off encoding too (default: on; "
          + "--no-handoff-runs skips them).")
  boolean handoffRuns = true;

  @Option(names = "--split-after", description = "Latency also with stages 1-K and the rest as two instances; 0 "
      + "skips it (default: after the model's first kept exit, so that the first instance answers easy images).")
  Integer splitAfter;

  @Option(names = "--memory-images", description = "Images through one instance for the memory run; 0 skips it "
      + "(default: ${DEFAULT-VALUE}).")
  long memoryImages = 1_000_000;

  @Option(names = "--memory-load", description = "The memory run's offered rate, as a share of the pipeline's "
      + "measured maximum (default: ${DEFAULT-VALUE}).")
  double memoryLoad = 0.75;

  @Option(names = "--partitions", description = "Partitions per topic (default: ${DEFAULT-VALUE}).")
  int partitions = 2;

  @Option(names = "--out", description = "Folder for bench.json, bench.md and the plots (default: ${DEFAULT-VALUE}).")
  Path out = Path.of("runs", "bench");

  @Option(names = "--set", description = "key=value for the pipeline's instances, repeatable, as ./aep run --set "
      + "(commit.interval.ms=50, ...).")
  Map<String, String> set = new LinkedHashMap<>();

  @Override
  public Integer call() throws Exception {
    if (batchSizes.isEmpty() || batchSizes.stream().anyMatch(b -> b < 1)) {
      throw new IllegalArgumentException("--batch-sizes must be positive numbers, like 1,8,32,64");
    }
    boolean badSplit = splitAfter != null && splitAfter < 0;
    if (latencyLoads.isEmpty() || latencyLoads.stream().anyMatch(l -> !(l > 0 && l <= 1))
        || !(memoryLoad > 0 && memoryLoad <= 1)) {
      throw new IllegalArgumentException("--latency-load and --memory-load are shares of the maximum rate: more than 0, "
          + "at most 1");
    }
    if (maxDelayMs < 1 || rawImages < 1 || pipelineImages < 10 || latencySeconds <= 0 || badSplit || memoryImages < 0
        || partitions < 1 || gainRounds < 1) {
      throw new IllegalArgumentException("--max-delay-ms, --model-images and --latency-seconds must be positive, "
          + "--pipeline-images at least 10, --split-after and --memory-images not negative, --partitions and "
          + "--gain-rounds >= 1");
    }
    if (!broker.equals(Bench.OWN_PROCESS) && !broker.equals(Bench.IN_JVM)
        && !broker.matches("[^\\s:,]+:\\d+(,[^\\s:,]+:\\d+)*")) {
      throw new IllegalArgumentException("--broker must be own-process, in-jvm or HOST:PORT[,HOST:PORT...], got '"
          + broker + "'");
    }
    Path dataset = inputs.dataset();
    ImageSet test = Datasets.readAsStored(dataset, Datasets.Split.TEST, 1, 28, 28);
    Path bundle = inputs.bundle(dataset);
    Bench.run(new Bench.Options(bundle, test, List.copyOf(batchSizes), maxDelayMs, rawImages, pipelineImages,
        latencySeconds, List.copyOf(latencyLoads), splitAfter == null ? -1 : splitAfter, memoryImages, memoryLoad,
        partitions, out, set, gainRounds, broker, handoffRuns), System.out);
    return 0;
  }
}
