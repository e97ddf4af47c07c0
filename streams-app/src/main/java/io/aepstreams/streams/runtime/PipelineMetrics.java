package io.aepstreams.streams.runtime;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;

/**
 * The pipeline's own meters, on Micrometer's global registry (a no-op until an instance serves /metrics):
 * results per exit stage, hand-offs and their bytes, dead letters per reason, and the compute time and batch size of each stage.
 */
public final class PipelineMetrics {
  private PipelineMetrics() {}

  public static Counter classifications(int exitStage) {
    return Metrics.counter("aep.classifications", "exit_stage", String.valueOf(exitStage));
  }

  public static Counter handoffs(int toStage) {
    return Metrics.counter("aep.handoffs", "to_stage", String.valueOf(toStage));
  }

  /**
   * Bytes of each hand-off record's value as written (before Kafka's compression), by the encoding the instance is
   * set to: what a split sends across per image going on.
   */
  public static DistributionSummary handoffBytes(int toStage, io.aepstreams.streams.handoff.HandoffEncoding encoding) {
    return DistributionSummary.builder("aep.handoff.record.bytes").baseUnit("bytes")
        .tags("to_stage", String.valueOf(toStage), "encoding", encoding.setting()).register(Metrics.globalRegistry);
  }

  public static Timer stageTime(int stage) {
    return Metrics.timer("aep.stage.compute", "stage", String.valueOf(stage));
  }

  /**
   * CPU time the stream threads spent running a stage (stacking, forward passes, exit rule): a stream thread's CPU
   * less this is its Kafka work. The engine's worker threads are not in it.
   */
  public static Counter stageCpu(int stage) {
    return Counter.builder("aep.stage.cpu").baseUnit("seconds").tag("stage", String.valueOf(stage))
        .register(Metrics.globalRegistry);
  }

  /**
   * Batches an instance's first stage let go, by why: {@code full}, or {@code delay} (its oldest image had waited
   * long enough): where batches go half full, the second says so.
   */
  public static Counter batchReleased(int stage, String cause) {
    return Metrics.counter("aep.batch.released", "stage", String.valueOf(stage), "cause", cause);
  }

  /** Images per forward pass of a stage. */
  public static DistributionSummary batchSize(int stage) {
    return Metrics.summary("aep.stage.batch.size", "stage", String.valueOf(stage));
  }

  public static void deadLettered(String reason) {
    Metrics.counter("aep.dead.letters", "reason", reason).increment();
  }

  /**
   * An audited image: it left at {@code exitStage} and ran on to the last kept exit; {@code agreed}: both answers
   * were the same class. Agreement per exit is agreements / images.
   */
  public static void audited(int exitStage, boolean agreed) {
    Metrics.counter("aep.audit.images", "exit_stage", String.valueOf(exitStage)).increment();
    if (agreed) {
      Metrics.counter("aep.audit.agreements", "exit_stage", String.valueOf(exitStage)).increment();
    } else {
      // registered at zero so that a rate over it exists before the first agreement
      Metrics.counter("aep.audit.agreements", "exit_stage", String.valueOf(exitStage));
    }
  }

  /** An audit copy that failed on its way to the last kept exit (its image has its answer; nothing is lost). */
  public static void auditFailed(int exitStage) {
    Metrics.counter("aep.audit.failed", "exit_stage", String.valueOf(exitStage)).increment();
  }

  /** Buckets of the decision latency histogram: few, so that a p99 per instance costs a dozen series. */
  private static final java.time.Duration[] LATENCY_BUCKETS = java.util.stream.LongStream.of(10, 25, 50, 100, 250,
      500, 1_000, 2_500, 5_000, 10_000, 30_000).mapToObj(java.time.Duration::ofMillis)
      .toArray(java.time.Duration[]::new);

  /**
   * Time from an image's record timestamp (when it was produced) to its decision, per exit stage: queueing and
   * every stage included, the commit that makes the result visible not (at most the commit interval more).
   */
  public static Timer decisionLatency(int exitStage) {
    return Timer.builder("aep.decision.latency").tags("exit_stage", String.valueOf(exitStage))
        .serviceLevelObjectives(LATENCY_BUCKETS).register(Metrics.globalRegistry);
  }
}
