package io.aepstreams.streams.topology;

import io.aepstreams.model.bundle.Manifest;
import io.aepstreams.records.PartialInference;
import io.aepstreams.streams.decode.RejectedRecordException.Reason;
import io.aepstreams.streams.runtime.PipelineMetrics;
import io.aepstreams.streams.handoff.HandoffEncoding;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Hands each image still going on to the next instance: one record per image, keyed by its input's key, its tensor
 * in the instance's hand-off encoding, serialised here ({@link TopicWriter}) so that a hand-off that cannot be written is its own image's dead letter.
 */
final class HandoffWriter extends ContextualProcessor<byte[], Batch, byte[], byte[]> {
  private final Manifest manifest;
  private final int nextStage;
  private final TopicWriter<PartialInference> out;
  private final String inputTopic;
  private final HandoffEncoding encoding;
  private final Counter handedOff;
  private final DistributionSummary bytesOut;

  HandoffWriter(Manifest manifest, int nextStage, HandoffEncoding encoding, TopicWriter<PartialInference> out,
      String inputTopic) {
    this.manifest = manifest;
    this.nextStage = nextStage;
    this.encoding = encoding;
    this.out = out;
    this.inputTopic = inputTopic;
    this.handedOff = PipelineMetrics.handoffs(nextStage);
    this.bytesOut = PipelineMetrics.handoffBytes(nextStage, encoding);
  }

  @Override
  public void process(Record<byte[], Batch> record) {
    ImageFailures failed = new ImageFailures(inputTopic);
    for (StagedImage image : record.value().images()) {
      StagedImage.Origin origin = image.origin();
      byte[] bytes;
      try {
        bytes = out.bytes(origin.recordKey(), image.handoff(manifest, nextStage, encoding), origin.headers());
      } catch (RuntimeException e) {
        failed.judge(e, image, Reason.UNWRITABLE_RESULT);
        continue;
      }
      handedOff.increment();
      bytesOut.record(bytes.length);
      context().forward(new Record<>(origin.recordKey(), bytes, origin.timestamp(), origin.headers()));
    }
    failed.throwIfAny();
  }
}
