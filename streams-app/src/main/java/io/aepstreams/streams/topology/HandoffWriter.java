package io.aepstreams.streams.topology;

import io.aepstreams.model.bundle.Manifest;
import io.aepstreams.records.PartialInference;
import io.aepstreams.streams.decode.RejectedRecordException.Reason;
import io.aepstreams.streams.runtime.PipelineMetrics;
import io.micrometer.core.instrument.Counter;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Hands each image still going on to the next instance: one record per image, keyed by its input's key, serialised
 * here ({@link TopicWriter}) so that a hand-off that cannot be written is its own image's dead letter.
 */
final class HandoffWriter extends ContextualProcessor<byte[], Batch, byte[], byte[]> {
  private final Manifest manifest;
  private final int nextStage;
  private final TopicWriter<PartialInference> out;
  private final String inputTopic;
  private final Counter handedOff;

  HandoffWriter(Manifest manifest, int nextStage, TopicWriter<PartialInference> out, String inputTopic) {
    this.manifest = manifest;
    this.nextStage = nextStage;
    this.out = out;
    this.inputTopic = inputTopic;
    this.handedOff = PipelineMetrics.handoffs(nextStage);
  }

  @Override
  public void process(Record<byte[], Batch> record) {
    ImageFailures failed = new ImageFailures(inputTopic);
    for (StagedImage image : record.value().images()) {
      StagedImage.Origin origin = image.origin();
      byte[] bytes;
      try {
        bytes = out.bytes(origin.recordKey(), image.handoff(manifest, nextStage), origin.headers());
      } catch (RuntimeException e) {
        failed.judge(e, image, Reason.UNWRITABLE_RESULT);
        continue;
      }
      handedOff.increment();
      context().forward(new Record<>(origin.recordKey(), bytes, origin.timestamp(), origin.headers()));
    }
    failed.throwIfAny();
  }
}
