package io.aepstreams.streams.topology;

import io.aepstreams.model.bundle.Manifest;
import io.aepstreams.streams.config.Batching;
import io.aepstreams.streams.decode.ImageDecoder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Collects the images entering an instance's first stage into batches: a batch goes on when it holds
 * {@code maxSize} images, or when its oldest image has waited {@code maxDelayMs}, whichever comes first. Waiting
 * images live in a changelogged store ({@link WaitingImages}), so none is lost or answered twice when the instance
 * crashes or its partitions move. With a batch size of one nothing waits and no store is used.
 */
final class BatchCollector extends ContextualProcessor<byte[], StagedImage, byte[], Batch> {
  private final Batching batching;
  private final Manifest manifest;
  private final int stage;
  private final String storeName;
  private final ImageDecoder decoder;
  private WaitingImages waiting;
  /** Wall-clock time the oldest waiting image arrived (or was restored). */
  private long oldestSince;

  /** {@code decoder} decodes restored images waiting for stage 1. */
  BatchCollector(Batching batching, Manifest manifest, int stage, String storeName, ImageDecoder decoder) {
    this.batching = batching;
    this.manifest = manifest;
    this.stage = stage;
    this.storeName = storeName;
    this.decoder = decoder;
  }

  @Override
  public void init(ProcessorContext<byte[], Batch> context) {
    super.init(context);
    if (batching.waits()) {
      KeyValueStore<Long, byte[]> store = context.getStateStore(storeName);
      waiting = new WaitingImages(store, manifest, stage, decoder);
      oldestSince = context.currentSystemTimeMs();
      // A quarter of the delay: a batch waits at most a quarter longer than asked, between two checks.
      context.schedule(Duration.ofMillis(Math.max(1, batching.maxDelayMs() / 4)), PunctuationType.WALL_CLOCK_TIME,
          this::onTick);
    }
  }

  @Override
  public void process(Record<byte[], StagedImage> record) {
    if (!batching.waits()) {
      context().forward(record.withValue(new Batch(List.of(record.value()))));
      return;
    }
    if (waiting.size() + 1 >= batching.maxSize()) {
      // The image that fills the batch goes on with it, unstored: no commit can come between two lines of one
      // process() call.
      release(List.of(record.value()));
      return;
    }
    if (waiting.size() == 0) {
      oldestSince = context().currentSystemTimeMs();
    }
    waiting.add(record.value());
  }

  private void onTick(long now) {
    if (waiting.size() > 0 && now - oldestSince >= batching.maxDelayMs()) {
      release(List.of());
    }
  }

  /** Sends the waiting images, then {@code arriving}, on as one batch, then forgets them: in one transaction. */
  private void release(List<StagedImage> arriving) {
    List<StagedImage> images = new ArrayList<>(waiting.images());
    images.addAll(arriving);
    Batch batch = new Batch(images);
    context().forward(new Record<>(null, batch, batch.timestamp()));
    waiting.clear();
  }
}
