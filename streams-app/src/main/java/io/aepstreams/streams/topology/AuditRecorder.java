package io.aepstreams.streams.topology;

import io.aepstreams.streams.runtime.PipelineMetrics;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Where audit copies end: each has run to the last kept exit, and its full-ensemble answer is compared with the
 * answer the image left with earlier, per exit. Nothing is written: the image has its one result already.
 */
final class AuditRecorder extends ContextualProcessor<byte[], Batch, Void, Void> {
  @Override
  public void process(Record<byte[], Batch> record) {
    for (StagedImage image : record.value().images()) {
      PipelineMetrics.audited(image.audit().getExitStage(),
          image.audit().getClassIndex() == image.ensemble().answer());
    }
  }
}
