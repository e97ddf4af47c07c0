package io.aepstreams.streams.topology;

import io.aepstreams.model.bundle.Manifest;
import io.aepstreams.records.PartialInference;
import io.aepstreams.streams.runtime.PipelineMetrics;
import io.micrometer.core.instrument.Counter;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.Record;

/** Hands each image still going on to the next instance: one record per image, keyed by its input's key. */
final class HandoffWriter extends ContextualProcessor<byte[], Batch, byte[], PartialInference> {
  private final Manifest manifest;
  private final int nextStage;
  private final Counter handedOff;

  HandoffWriter(Manifest manifest, int nextStage) {
    this.manifest = manifest;
    this.nextStage = nextStage;
    this.handedOff = PipelineMetrics.handoffs(nextStage);
  }

  @Override
  public void process(Record<byte[], Batch> record) {
    for (StagedImage image : record.value().images()) {
      StagedImage.Origin origin = image.origin();
      handedOff.increment();
      context().forward(new Record<>(origin.recordKey(), image.handoff(manifest, nextStage), origin.timestamp(),
          origin.headers()));
    }
  }
}
