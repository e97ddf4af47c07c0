package io.aepstreams.streams.topology;

import ai.djl.ndarray.NDManager;
import io.aepstreams.streams.decode.RejectedRecordException.Reason;
import io.aepstreams.streams.dlq.DeadLetterHandlers;
import io.aepstreams.streams.dlq.FailedImage;
import io.aepstreams.streams.dlq.FailedImagesException;
import io.aepstreams.streams.runtime.PipelineMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.processor.Cancellable;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one stage on a batch of images ({@link StageRunner}) and routes what comes out: the images that leave go to
 * child {@code decided} as one batch; the rest go on as a smaller batch to child {@code onward} (the next stage
 * here, or the hand-off to the next instance). The bundle's last stage has no onward child: every image leaves there.
 * Once a batch's outcome has gone on, its images are forgotten in the store of waiting images
 * ({@link Batch#storeKeys}), in the same transaction.
 *
 * <p>The pass runs where {@link StagePasses} says. Off the stream thread, a batch's outcome goes on at the first
 * record or punctuation after its pass ends, in the order the batches came; at most {@link #IN_FLIGHT} passes wait
 * or run per stage, and one more blocks the stream thread until the oldest is done. A commit meanwhile finds the
 * batch's images still stored, so a crash runs them again and none is answered twice.
 *
 * <p>A batch whose pass fails through no fault of the infrastructure is run again one image at a time: the images
 * that pass alone go on as usual, and each one that fails alone is dead-lettered with its own record
 * (docs/design.md, "A batch that fails").
 */
final class StageProcessor extends ContextualProcessor<byte[], Batch, byte[], Batch> {
  private static final Logger LOG = LoggerFactory.getLogger(StageProcessor.class);
  /** Passes per stage started and not yet gone on: one running, one collected behind it. */
  static final int IN_FLIGHT = 2;
  /** How often a stage whose passes run off the stream thread looks for one that has ended. */
  static final Duration PASS_CHECK = Duration.ofMillis(1);
  private final StageRunner runner;
  private final String decided;
  private final Optional<String> onward;
  private final Optional<String> audits;
  private final NDManager manager;
  private final String inputTopic;
  private final String storeName;
  private final StagePasses passes;
  private final Timer compute;
  private final DistributionSummary batchSizes;
  private final Counter cpu;
  private final ArrayDeque<InFlight> inFlight = new ArrayDeque<>();
  private KeyValueStore<Long, byte[]> store;
  private Cancellable check;

  /** A batch whose pass has started: its record, and what the pass made of it. */
  private record InFlight(Record<byte[], Batch> record, Future<Ran> ran) {}

  /**
   * What one pass over a batch made of it: the outcome of each forward pass run (the batch's, or one per image when
   * it was run again one at a time) with the images it took, and each image that failed alone, with why.
   */
  private record Ran(List<StageRunner.Outcome> outcomes, List<Integer> sizes, List<StagedImage> failedImages,
      List<RuntimeException> failures) {}

  /**
   * @param decided the child that writes the results of images that leave here
   * @param onward the child that takes the images going on; empty only for the bundle's last stage
   * @param audits the child that takes audit copies at the bundle's last stage; empty elsewhere
   * @param manager the parent of the per-batch managers
   * @param inputTopic the topic the instance reads its images from (a failed image's dead letter names it)
   * @param storeName the range's store of waiting images, where a batch's images stay until its outcome goes on
   * @param passes where the forward passes run
   */
  StageProcessor(StageRunner runner, String decided, Optional<String> onward, Optional<String> audits,
      NDManager manager, String inputTopic, String storeName, StagePasses passes) {
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
    this.storeName = storeName;
    this.passes = passes;
    this.compute = PipelineMetrics.stageTime(runner.stage());
    this.batchSizes = PipelineMetrics.batchSize(runner.stage());
    this.cpu = PipelineMetrics.stageCpu(runner.stage());
  }

  @Override
  public void init(ProcessorContext<byte[], Batch> context) {
    super.init(context);
    store = context.getStateStore(storeName);
    // A task closed and opened again starts afresh: the images of passes that had not gone on are in the store,
    // and come back through the first stage.
    inFlight.clear();
    cancelCheck();
    if (passes.overlaps()) {
      check = context.schedule(PASS_CHECK, PunctuationType.WALL_CLOCK_TIME, now -> sendOn(false));
    }
  }

  @Override
  public void process(Record<byte[], Batch> record) {
    List<FailedImage> failed = new ArrayList<>();
    if (!record.value().isEmpty()) {
      while (inFlight.size() >= IN_FLIGHT) {
        failed.addAll(sendOldest());
        // the thread waited for a pass, as if it had run one: Kafka Streams' cached time is stale by it
        WaitClock.forwardPassRan();
      }
      List<StagedImage> images = record.value().images();
      inFlight.add(new InFlight(record, passes.submit(() -> run(images))));
    }
    failed.addAll(sendOn(true));
    FailedImagesException.throwIfAny(failed);
  }

  /**
   * Sends on the outcomes of the passes that have ended, oldest first, up to the first still running; returns the
   * images that failed (thrown, when called from a punctuation).
   */
  private List<FailedImage> sendOn(boolean fromProcess) {
    List<FailedImage> failed = new ArrayList<>();
    while (!inFlight.isEmpty() && inFlight.peekFirst().ran().isDone()) {
      failed.addAll(sendOldest());
    }
    if (!fromProcess) {
      FailedImagesException.throwIfAny(failed);
    }
    return failed;
  }

  /** Waits for the oldest pass, routes its outcome and forgets its images; returns the images that failed. */
  private List<FailedImage> sendOldest() {
    InFlight pass = inFlight.removeFirst();
    Ran ran = outcome(pass.ran());
    ImageFailures failed = new ImageFailures(inputTopic);
    // an infrastructure failure is rethrown here, before anything goes on: the task fails and runs the batch again
    for (int i = 0; i < ran.failures().size(); i++) {
      failed.judge(ran.failures().get(i), ran.failedImages().get(i), Reason.STAGE_FAILED);
    }
    List<StagedImage> leaving = new ArrayList<>();
    List<StagedImage> goingOn = new ArrayList<>();
    for (int i = 0; i < ran.outcomes().size(); i++) {
      StageRunner.Outcome outcome = ran.outcomes().get(i);
      compute.record(outcome.nanos(), TimeUnit.NANOSECONDS);
      cpu.increment(outcome.cpuNanos() / 1e9);
      batchSizes.record(ran.sizes().get(i));
      leaving.addAll(outcome.leaving());
      goingOn.addAll(outcome.goingOn());
    }
    Record<byte[], Batch> record = pass.record();
    List<FailedImage> downstream = new ArrayList<>();
    List<StagedImage> audited = leaving.stream().filter(StagedImage::isAudit).toList();
    if (!audited.isEmpty()) {
      leaving.removeIf(StagedImage::isAudit);
      // a topology without an audit child has no audit copies reaching its last stage: none was sampled
      audits.ifPresent(child -> ImageFailures.collecting(downstream,
          () -> context().forward(record.withValue(new Batch(audited)), child)));
    }
    if (!leaving.isEmpty()) {
      ImageFailures.collecting(downstream, () -> context().forward(record.withValue(new Batch(leaving)), decided));
    }
    if (!goingOn.isEmpty()) {
      ImageFailures.collecting(downstream,
          () -> context().forward(record.withValue(new Batch(goingOn)), onward.orElseThrow()));
    }
    record.value().storeKeys().forEach(store::delete);
    downstream.addAll(failed.images());
    return downstream;
  }

  /** The pass's outcome; a failure of the pass itself (not of an image) is rethrown on the stream thread. */
  private static Ran outcome(Future<Ran> ran) {
    try {
      return ran.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted waiting for a forward pass", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException failure) {
        throw failure;
      }
      if (e.getCause() instanceof Error error) {
        throw error;
      }
      throw new IllegalStateException(e.getCause());
    }
  }

  /**
   * The pass over {@code images}, where {@link StagePasses} runs it: the whole batch, or, where that fails through
   * the batch's own fault, each image alone. Touches no store and sends nothing: only tensors and the model.
   */
  private Ran run(List<StagedImage> images) {
    try {
      return new Ran(List.of(runner.run(images, manager)), List.of(images.size()), List.of(), List.of());
    } catch (RuntimeException batchFailure) {
      if (DeadLetterHandlers.notTheRecordsFault(batchFailure) != null || images.size() == 1) {
        return new Ran(List.of(), List.of(), List.of(images.get(0)), List.of(batchFailure));
      }
      LOG.warn("stage {} failed on a batch of {}; running its images one at a time: {}", runner.stage(),
          images.size(), batchFailure.toString());
      List<StageRunner.Outcome> outcomes = new ArrayList<>();
      List<Integer> sizes = new ArrayList<>();
      List<StagedImage> failedImages = new ArrayList<>();
      List<RuntimeException> failures = new ArrayList<>();
      for (StagedImage image : images) {
        try {
          outcomes.add(runner.run(List.of(image), manager));
          sizes.add(1);
        } catch (RuntimeException imageFailure) {
          failedImages.add(image);
          failures.add(imageFailure);
        }
      }
      return new Ran(outcomes, sizes, failedImages, failures);
    }
  }

  /** Passes still running go unread: their images are in the store, and whoever takes the task runs them again. */
  @Override
  public void close() {
    cancelCheck();
    inFlight.clear();
  }

  private void cancelCheck() {
    if (check != null) {
      check.cancel();
      check = null;
    }
  }
}
