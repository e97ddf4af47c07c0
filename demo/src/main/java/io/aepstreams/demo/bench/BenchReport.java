package io.aepstreams.demo.bench;

import java.util.List;
import java.util.Map;

/**
 * Everything one benchmark run measured, on one machine: written as JSON, printed as a table, drawn as plots.
 *
 * @param raw the model in a plain loop, per batch size
 * @param pipeline the pipeline through the in-JVM broker, per batch size, early exits on
 * @param latency per batch size and topology (single, split), at a share of the pipeline's measured maximum
 */
public record BenchReport(
    Machine machine,
    ModelInfo model,
    Settings settings,
    List<RawRow> raw,
    List<PipelineRow> pipeline,
    EarlyExit earlyExit,
    List<LatencyRow> latency,
    Memory memory,
    List<Target> targets,
    List<StageRow> stages,
    Crossing crossing,
    List<BrokerRuns.HandoffRun> handoffRuns) {

  public record Machine(int cores, String cpu, double memoryGiB, String os, String jvm, String engine,
      String date) {
    /** The machine in one line, as the reports give it. */
    public String describe() {
      return String.format(java.util.Locale.ROOT, "Machine: %d cores (%s), %.1f GiB; %s; %s; %s. %s", cores, cpu,
          memoryGiB, os, jvm, engine, date);
    }
  }

  public record ModelInfo(String name, String version, int stages, List<Integer> exits, Map<Integer, Double> thresholds,
      String confidence, long macsEveryStage) {}

  /**
   * @param latencyLoad the first of {@code latencyLoads} (what reports before several loads had)
   * @param broker where the broker ran, in words
   * @param streamThreads stream threads per instance, and so loops of the model at once
   * @param engineThreads the engine's intra-op threads per forward pass
   * @param passThreads whether the forward passes ran on threads of their own; null in reports from before they could
   */
  public record Settings(List<Integer> batchSizes, long maxDelayMs, int rawImages, int pipelineImages,
      double latencySeconds, double latencyLoad, int splitAfter, long memoryImages, double memoryLoad, int partitions,
      Map<String, String> instanceSettings, List<Double> latencyLoads, int gainRounds, String broker,
      int streamThreads, int engineThreads, Boolean passThreads) {}

  /**
   * Images per second of the model alone, with early exits and with every stage for every image, and the process's
   * CPU time per image with exits; each stage's wall-clock milliseconds per image that entered it, with exits (the
   * deeper stages at batches thinned by them) and every stage (full batches). Null in reports from before they were
   * measured.
   */
  public record RawRow(int batch, double exitsPerSecond, double allStagesPerSecond, double exitsCpuMillis,
      double exitsAccuracy, double allStagesAccuracy, double exitsMacs, double allStagesMacs,
      Map<Integer, Double> exitsStageMillis, Map<Integer, Double> allStagesStageMillis) {}

  /**
   * The pipeline at a batch size: its throughput, the benchmark process's CPU per image (the broker's included where
   * it ran in that JVM), its mean stage-1 batch, and the CPU per image by who spent it ({@link CpuAttribution.Part}
   * names; the broker's among them where it ran in a process of its own), and the mean images per forward pass of
   * each stage (the deeper ones thinned by exits, refilled where they wait); {@code splitImagesPerSecond}: the split
   * deployment's own maximum (NaN without a split), which its latency runs are offered a share of;
   * {@code releasedFullShare}: the first stage's batches that went on full (the others went on their delay).
   */
  public record PipelineRow(int batch, double imagesPerSecond, double cpuMillisPerImage, double meanStageOneBatch,
      double shareOfRaw, Map<String, Double> cpuByPart, Map<Integer, Double> meanBatchByStage,
      double splitImagesPerSecond, double releasedFullShare) {}

  /**
   * At {@code batch}, early exits against every stage for every image: the throughput gain the MACs saved predict
   * (MACs of every stage / MACs with exits - 1), the gain measured in the model loop and in the pipeline (run again
   * with {@code aep.policy=off}), each as a share of the predicted one, and the accuracy of both on the same images;
   * {@code stageTimePredictedGain}: the gain the model loop's stage times at full batches predict instead (see
   * {@link ModelLoop#stageTimePredictedGain}), null in reports from before it was measured.
   */
  public record EarlyExit(int batch, double macsSaved, double predictedGain, double rawGain,
      double rawShareOfPredicted, double pipelineAllStagesPerSecond, double pipelineGain,
      double pipelineShareOfPredicted, double accuracyExits, double accuracyAllStages, double accuracyDropPoints,
      List<GainRound> rounds, double pipelineGainLow, double pipelineGainHigh, Double stageTimePredictedGain) {}

  /**
   * One round of the pipeline's early-exit gain: a run with the exits and one with every stage, back to back (the
   * order alternating from round to round), at the same batch size.
   */
  public record GainRound(double exitsPerSecond, double allStagesPerSecond, double gain) {}

  /**
   * Latency at {@code load}, a share of {@code maximum}: the images/s the topology answered at {@code batch} with
   * images arriving, measured just before (null in reports from before it was: there the share is of the maximum
   * read from a topic written beforehand).
   */
  public record LatencyRow(int batch, String topology, BrokerRuns.Latency latency, double load, Double maximum) {}

  public record Memory(long images, double ratePerSecond, double warmupRssMiB, double finalRssMiB, double maxRssMiB,
      double growthPercent, List<BrokerRuns.MemorySample> samples) {}

  /** One stage: its own parameters and MACs per image, and the share of images leaving at its exit. */
  public record StageRow(int stage, long params, long macs, double exitShare) {}

  /**
   * What crosses a split, per image: the input as sent and at the model's input size, raw and as PNG (mean over a
   * sample); and after each stage but the last, the hand-off record.
   */
  public record Crossing(int sample, double inputRawAsSent, double inputPngAsSent, long inputRawAtModel,
      double inputPngAtModel, List<SplitPoint> points) {}

  /**
   * A split after stage {@code after}: the tensor handed on, its record's bytes in float32 (key and value as the
   * hand-off writer serialises them; each encoding's in {@code encodings}), the share of images going on (the others left at an exit on the edge), and so the bytes
   * crossing per image that entered; the MACs per image on each side when every stage runs.
   */
  public record SplitPoint(int after, List<Long> tensor, double recordBytes, double goingOnShare,
      double bytesPerImage, long edgeMacs, long deepMacs, List<EncodedSize> encodings) {}

  /**
   * A split's hand-off record in one encoding: its bytes as written (key and value), on the wire per compression
   * codec (in the record batches the producer makes), and as written per image that entered.
   */
  public record EncodedSize(String encoding, double recordBytes, Map<String, Double> wireBytes,
      double bytesPerImage) {}

  /** A target of the issue, what was measured against it, and whether it holds. */
  public record Target(String name, String goal, String measured, boolean met) {}
}
