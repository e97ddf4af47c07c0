package io.aepstreams.streams.topology;

import ai.djl.ndarray.NDManager;
import io.aepstreams.streams.decode.RejectedRecordException.Reason;
import io.aepstreams.streams.dlq.DeadLetterHandlers;
import io.aepstreams.streams.runtime.PipelineMetrics;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Timer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one stage on a batch of images ({@link StageRunner}) and routes what comes out: the images that leave go to
 * child {@code decided} as one batch; the rest go on as a smaller batch to child {@code onward} (the next stage
 * here, or the hand-off to the next instance). The bundle's last stage has no onward child: every image leaves there.
 *
 * <p>A batch whose pass fails through no fault of the infrastructure is run again one image at a time: the images
 * that pass alone go on as usual, and each one that fails alone is dead-lettered with its own record
 * (docs/design.md, "A batch that fails").
 */
final class StageProcessor extends ContextualProcessor<byte[], Batch, byte[], Batch> {
  private static final Logger LOG = LoggerFactory.getLogger(StageProcessor.class);
  private final StageRunner runner;
  private final String decided;
  private final Optional<String> onward;
  private final Optional<String> audits;
  private final NDManager manager;
  private final String inputTopic;
  private final Timer compute;
  private final DistributionSummary batchSizes;
  private final io.micrometer.core.instrument.Counter cpu;

  /**
   * @param decided the child that writes the results of images that leave here
   * @param onward the child that takes the images going on; empty only for the bundle's last stage
   * @param audits the child that takes audit copies at the bundle's last stage; empty elsewhere
   * @param manager the parent of the per-batch managers
   * @param inputTopic the topic the instance reads its images from (a failed image's dead letter names it)
   */
  StageProcessor(StageRunner runner, String decided, Optional<String> onward, Optional<String> audits,
      NDManager manager, String inputTopic) {
    if (runner.hasNext() == onward.isEmpty()) {
      throw new IllegalArgumentException("stage " + runner.stage() + (runner.hasNext()
          ? " needs somewhere for images to go on" : " is the bundle's last: nothing goes on from it"));
    }
    this.runner = runner;
    this.decided = decided;
    this.onward = onward;
    this.audits = audits;
    this.manager = manager;
    this.inputTopic = inputTopic;
    this.compute = PipelineMetrics.stageTime(runner.stage());
    this.batchSizes = PipelineMetrics.batchSize(runner.stage());
    this.cpu = PipelineMetrics.stageCpu(runner.stage());
  }

  @Override
  public void process(Record<byte[], Batch> record) {
    List<StagedImage> images = record.value().images();
    if (images.isEmpty()) {
      return;
    }
    List<StagedImage> leaving = new ArrayList<>();
    List<StagedImage> goingOn = new ArrayList<>();
    ImageFailures failed = new ImageFailures(inputTopic);
    try {
      add(runner.run(images, manager), images.size(), leaving, goingOn);
    } catch (RuntimeException batchFailure) {
      if (DeadLetterHandlers.notTheRecordsFault(batchFailure) != null || images.size() == 1) {
        failed.judge(batchFailure, images.get(0), Reason.STAGE_FAILED);
      } else {
        LOG.warn("stage {} failed on a batch of {}; running its images one at a time: {}", runner.stage(),
            images.size(), batchFailure.toString());
        for (StagedImage image : images) {
          try {
            add(runner.run(List.of(image), manager), 1, leaving, goingOn);
          } catch (RuntimeException imageFailure) {
            failed.judge(imageFailure, image, Reason.STAGE_FAILED);
          }
        }
      }
    }
    List<StagedImage> audited = leaving.stream().filter(StagedImage::isAudit).toList();
    if (!audited.isEmpty()) {
      leaving.removeIf(StagedImage::isAudit);
      // a topology without an audit child has no audit copies reaching its last stage: none was sampled
      audits.ifPresent(child -> context().forward(record.withValue(new Batch(audited)), child));
    }
    if (!leaving.isEmpty()) {
      context().forward(record.withValue(new Batch(leaving)), decided);
    }
    if (!goingOn.isEmpty()) {
      context().forward(record.withValue(new Batch(goingOn)), onward.orElseThrow());
    }
    failed.throwIfAny();
  }

  private void add(StageRunner.Outcome outcome, int size, List<StagedImage> leaving, List<StagedImage> goingOn) {
    compute.record(outcome.nanos(), TimeUnit.NANOSECONDS);
    cpu.increment(outcome.cpuNanos() / 1e9);
    batchSizes.record(size);
    leaving.addAll(outcome.leaving());
    goingOn.addAll(outcome.goingOn());
  }
}
