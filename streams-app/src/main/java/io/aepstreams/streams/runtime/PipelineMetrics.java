package io.aepstreams.streams.runtime;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;

/**
 * The pipeline's own meters, on Micrometer's global registry (a no-op until an instance serves /metrics):
 * results per exit stage, hand-offs, dead letters per reason, and the compute time and batch size of each stage.
 */
public final class PipelineMetrics {
  private PipelineMetrics() {}

  public static Counter classifications(int exitStage) {
    return Metrics.counter("aep.classifications", "exit_stage", String.valueOf(exitStage));
  }

  public static Counter handoffs(int toStage) {
    return Metrics.counter("aep.handoffs", "to_stage", String.valueOf(toStage));
  }

  public static Timer stageTime(int stage) {
    return Metrics.timer("aep.stage.compute", "stage", String.valueOf(stage));
  }

  /** Images per forward pass of a stage. */
  public static DistributionSummary batchSize(int stage) {
    return Metrics.summary("aep.stage.batch.size", "stage", String.valueOf(stage));
  }

  public static void deadLettered(String reason) {
    Metrics.counter("aep.dead.letters", "reason", reason).increment();
  }
}
