package io.aepstreams.streams.topology;

import ai.djl.ndarray.NDManager;
import io.aepstreams.streams.runtime.PipelineMetrics;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Timer;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Runs one stage on a batch of images ({@link StageRunner}) and routes what comes out: the images that leave go to
 * child {@code decided} as one batch; the rest go on as a smaller batch to child {@code onward} (the next stage
 * here, or the hand-off to the next instance). The bundle's last stage has no onward child: every image leaves there.
 */
final class StageProcessor extends ContextualProcessor<byte[], Batch, byte[], Batch> {
  private final StageRunner runner;
  private final String decided;
  private final Optional<String> onward;
  private final NDManager manager;
  private final Timer compute;
  private final DistributionSummary batchSizes;

  /**
   * @param decided the child that writes the results of images that leave here
   * @param onward the child that takes the images going on; empty only for the bundle's last stage
   * @param manager the parent of the per-batch managers
   */
  StageProcessor(StageRunner runner, String decided, Optional<String> onward, NDManager manager) {
    if (runner.hasNext() == onward.isEmpty()) {
      throw new IllegalArgumentException("stage " + runner.stage() + (runner.hasNext()
          ? " needs somewhere for images to go on" : " is the bundle's last: nothing goes on from it"));
    }
    this.runner = runner;
    this.decided = decided;
    this.onward = onward;
    this.manager = manager;
    this.compute = PipelineMetrics.stageTime(runner.stage());
    this.batchSizes = PipelineMetrics.batchSize(runner.stage());
  }

  @Override
  public void process(Record<byte[], Batch> record) {
    List<StagedImage> images = record.value().images();
    if (images.isEmpty()) {
      return;
    }
    StageRunner.Outcome outcome = runner.run(images, manager);
    compute.record(outcome.nanos(), TimeUnit.NANOSECONDS);
    batchSizes.record(images.size());
    if (!outcome.leaving().isEmpty()) {
      context().forward(record.withValue(new Batch(outcome.leaving())), decided);
    }
    if (!outcome.goingOn().isEmpty()) {
      context().forward(record.withValue(new Batch(outcome.goingOn())), onward.orElseThrow());
    }
  }
}
