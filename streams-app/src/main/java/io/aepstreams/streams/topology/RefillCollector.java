package io.aepstreams.streams.topology;

import io.aepstreams.model.bundle.Manifest;
import io.aepstreams.streams.config.Batching;
import io.aepstreams.streams.control.PointInForce;
import io.aepstreams.streams.dlq.FailedImage;
import io.aepstreams.streams.dlq.FailedImagesException;
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
 * Refills the batches of a stage deeper than the first of its range: the images going on after an exit arrive in
 * thinned batches (a third of 32, say), and a forward pass of a few images costs more per image than one of many.
 * The stage waits until it holds a full batch, or until its oldest image has waited {@code delayMs}, whichever comes
 * first; with no delay it runs what arrives at once.
 *
 * <p>Waiting images are kept in the range's store of waiting images under keys of this stage's own
 * ({@link WaitingImages}), so that a crash or a rebalance loses none: the first stage takes them back and runs them
 * again from the start of the range.
 */
final class RefillCollector extends ContextualProcessor<byte[], Batch, byte[], Batch> {
  private final Batching batching;
  private final PointInForce points;
  private final Manifest manifest;
  private final int stage;
  private final int keySpace;
  private final String storeName;
  private final String inputTopic;
  private final boolean storesEveryImage;
  private WaitingImages waiting;
  private Cancellable tick;
  /** How long the oldest waiting image has waited. */
  private WaitClock clock;

  /**
   * @param points the point in force, whose exit shares set how long the stage waits ({@link Batching#refillDelayMs})
   * @param keySpace this stage's place in the range (1 for the second stage): its keys in the store
   * @param storeName the range's store of waiting images
   * @param storesEveryImage whether the images that fill a batch are stored too, as they must be where the batch's
   *     pass may still run at the next commit ({@link StagePasses#overlaps})
   */
  RefillCollector(Batching batching, PointInForce points, Manifest manifest, int stage, int keySpace,
      String storeName, String inputTopic, boolean storesEveryImage) {
    if (keySpace < 1) {
      throw new IllegalArgumentException("the first stage of a range collects with a BatchCollector");
    }
    this.batching = batching;
    this.points = points;
    this.manifest = manifest;
    this.stage = stage;
    this.keySpace = keySpace;
    this.storeName = storeName;
    this.inputTopic = inputTopic;
    this.storesEveryImage = storesEveryImage;
  }

  @Override
  public void init(ProcessorContext<byte[], Batch> context) {
    super.init(context);
    KeyValueStore<Long, byte[]> store = context.getStateStore(storeName);
    // no decoder: this stage never restores; the first stage of the range takes back what it stored
    waiting = new WaitingImages(store, manifest, stage, null, inputTopic, keySpace, storesEveryImage);
    clock = new WaitClock(batching.tickMs(), context.currentSystemTimeMs());
    if (tick != null) {
      tick.cancel();
    }
    // as often as the first stage looks at its batch: the delay follows the point in force, which may change
    tick = batching.waits() ? context.schedule(Duration.ofMillis(batching.tickMs()),
        PunctuationType.WALL_CLOCK_TIME, this::onTick) : null;
  }

  /** How long images wait here now: shares change with the point in force. */
  private long delayMs() {
    return batching.refillDelayMs(points.exitShares(), stage);
  }

  @Override
  public void process(Record<byte[], Batch> record) {
    List<StagedImage> arriving = record.value().images();
    int maxSize = batching.maxSize();
    List<FailedImage> failed = new ArrayList<>();
    int from = 0;
    // Batches that the images arriving fill go on now, with them (stored first only where a pass may outlast this
    // call: WaitingImages#release).
    while (arriving.size() - from >= maxSize - waiting.size()) {
      List<StagedImage> filling = arriving.subList(from, from + maxSize - waiting.size());
      from += filling.size();
      failed.addAll(release(filling));
    }
    List<StagedImage> rest = arriving.subList(from, arriving.size());
    if (delayMs() == 0) {
      failed.addAll(release(rest));
    } else if (!rest.isEmpty()) {
      if (waiting.size() == 0) {
        clock.start(context().currentSystemTimeMs());
      }
      rest.forEach(waiting::add);
    }
    FailedImagesException.throwIfAny(failed);
  }

  private void onTick(long now) {
    long waited = clock.tick(now);
    if (waiting.size() > 0 && waited >= delayMs()) {
      FailedImagesException.throwIfAny(release(List.of()));
    }
  }

  /**
   * Sends the waiting images and {@code arriving} on as one batch, with the keys the stage forgets once it has run
   * it; returns the images that failed downstream.
   */
  private List<FailedImage> release(List<StagedImage> arriving) {
    clock.stop();
    List<FailedImage> failed = new ArrayList<>();
    // one batch: no more than a batch ever waits here, with what fills it
    for (Batch batch : waiting.release(arriving, batching.maxSize())) {
      ImageFailures.collecting(failed, () -> context().forward(new Record<>(null, batch, batch.timestamp())));
    }
    return failed;
  }

  @Override
  public void close() {
    if (tick != null) {
      tick.cancel();
      tick = null;
    }
  }
}
