package io.aepstreams.streams.topology;

import io.aepstreams.model.bundle.Manifest;
import io.aepstreams.streams.config.Batching;
import io.aepstreams.streams.decode.ImageDecoder;
import io.aepstreams.streams.dlq.FailedImage;
import io.aepstreams.streams.dlq.FailedImagesException;
import io.aepstreams.streams.runtime.PipelineMetrics;
import io.micrometer.core.instrument.Counter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.processor.Cancellable;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Collects the images entering an instance's first stage into batches: a batch goes on when it holds
 * {@code maxSize} images, or when its oldest image has waited {@code maxDelayMs}, whichever comes first. Waiting
 * images live in a changelogged store ({@link WaitingImages}), so none is lost or answered twice when the instance
 * crashes or its partitions move.
 *
 * <p>The store is there whatever the batch size, so that a change of batch size changes no topology: images an
 * earlier run left waiting come back and go on at once, in batches of the new size, even at size one, where
 * nothing else waits. Those it can no longer read are dead-lettered with their reason.
 */
final class BatchCollector extends ContextualProcessor<byte[], StagedImage, byte[], Batch> {
  /** How often an instance that does not batch looks for images an earlier run left waiting. */
  private static final Duration RESTORE_CHECK = Duration.ofMillis(100);
  private final Batching batching;
  private final Manifest manifest;
  private final int stage;
  private final String storeName;
  private final ImageDecoder decoder;
  private final String inputTopic;
  private final boolean storesEveryImage;
  private WaitingImages waiting;
  private boolean restored;
  private Cancellable restoreCheck;
  private Cancellable tick;
  private final Counter full;
  private final Counter timedOut;
  /** How long the oldest waiting image (arrived or restored) has waited. */
  private WaitClock clock;

  /**
   * {@code decoder} decodes restored images waiting for stage 1; {@code inputTopic} is where images come from;
   * {@code storesEveryImage}: whether the image that fills a batch is stored too, as it must be where the batch's
   * pass may still run at the next commit ({@link StagePasses#overlaps}).
   */
  BatchCollector(Batching batching, Manifest manifest, int stage, String storeName, ImageDecoder decoder,
      String inputTopic, boolean storesEveryImage) {
    this.batching = batching;
    this.manifest = manifest;
    this.stage = stage;
    this.storeName = storeName;
    this.decoder = decoder;
    this.inputTopic = inputTopic;
    this.storesEveryImage = storesEveryImage;
    this.full = PipelineMetrics.batchReleased(stage, "full");
    this.timedOut = PipelineMetrics.batchReleased(stage, "delay");
  }

  @Override
  public void init(ProcessorContext<byte[], Batch> context) {
    super.init(context);
    KeyValueStore<Long, byte[]> store = context.getStateStore(storeName);
    waiting = new WaitingImages(store, manifest, stage, decoder, inputTopic, storesEveryImage);
    restored = false;
    clock = new WaitClock(batching.tickMs(), context.currentSystemTimeMs());
    cancelTicks();
    if (batching.waits()) {
      tick = context.schedule(Duration.ofMillis(batching.tickMs()), PunctuationType.WALL_CLOCK_TIME, this::onTick);
    } else {
      restoreCheck = context.schedule(RESTORE_CHECK, PunctuationType.WALL_CLOCK_TIME, this::onTick);
    }
  }

  @Override
  public void process(Record<byte[], StagedImage> record) {
    List<FailedImage> failed = new ArrayList<>(restoreOnce());
    if (waiting.size() + 1 >= batching.maxSize()) {
      full.increment();
      // the image that fills the batch is stored only where its pass may outlast this call (WaitingImages#release)
      failed.addAll(release(List.of(record.value())));
    } else {
      if (waiting.size() == 0) {
        startWaiting();
      }
      waiting.add(record.value());
    }
    FailedImagesException.throwIfAny(failed);
  }

  private void startWaiting() {
    clock.start(context().currentSystemTimeMs());
  }

  private void onTick(long now) {
    List<FailedImage> failed = new ArrayList<>(restoreOnce());
    long waited = clock.tick(now);
    if (waiting.size() > 0 && (!batching.waits() || waited >= batching.maxDelayMs())) {
      timedOut.increment();
      failed.addAll(release(List.of()));
    }
    if (restoreCheck != null) {
      restoreCheck.cancel();
      restoreCheck = null;
    }
    FailedImagesException.throwIfAny(failed);
  }

  /** Its punctuations end with it: a task closed and opened again schedules them anew in init(). */
  @Override
  public void close() {
    cancelTicks();
  }

  private void cancelTicks() {
    if (tick != null) {
      tick.cancel();
      tick = null;
    }
    if (restoreCheck != null) {
      restoreCheck.cancel();
      restoreCheck = null;
    }
  }

  /** The images an earlier run left waiting, taken back at the first record or tick; those it cannot read. */
  private List<FailedImage> restoreOnce() {
    if (restored) {
      return List.of();
    }
    List<FailedImage> unrestorable = waiting.restore();
    restored = true;
    if (waiting.size() > 0) {
      startWaiting();
    }
    return unrestorable;
  }

  /**
   * Sends the waiting images, then {@code arriving}, on in batches of at most the batch size (more can
   * wait after a restore under a smaller size), each with the keys its stage forgets once it has run it. Returns the
   * images that failed downstream, once every batch has gone on.
   */
  private List<FailedImage> release(List<StagedImage> arriving) {
    clock.stop();
    List<FailedImage> failed = new ArrayList<>();
    for (Batch batch : waiting.release(arriving, batching.maxSize())) {
      ImageFailures.collecting(failed, () -> context().forward(new Record<>(null, batch, batch.timestamp())));
    }
    return failed;
  }
}
