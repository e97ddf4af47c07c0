package io.aepstreams.streams.topology;

import io.aepstreams.model.bundle.Manifest;
import io.aepstreams.model.policy.Confidence;
import io.aepstreams.model.policy.PartialEnsemble;
import io.aepstreams.records.Classification;
import io.aepstreams.streams.runtime.PipelineMetrics;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.Record;

/** Writes one result per image that left at an exit, with its input record's key, timestamp and headers. */
final class ResultWriter extends ContextualProcessor<byte[], Batch, byte[], Classification> {
  private final Manifest manifest;
  private final Confidence measure;

  ResultWriter(Manifest manifest, Confidence measure) {
    this.manifest = manifest;
    this.measure = measure;
  }

  @Override
  public void process(Record<byte[], Batch> record) {
    Instant decidedAt = Instant.now();
    for (StagedImage image : record.value().images()) {
      Classification result = classification(image, decidedAt);
      PipelineMetrics.classifications(result.getExitStage()).increment();
      StagedImage.Origin origin = image.origin();
      context().forward(new Record<>(origin.recordKey(), result, origin.timestamp(), origin.headers()));
    }
  }

  private Classification classification(StagedImage image, Instant decidedAt) {
    PartialEnsemble ensemble = image.ensemble();
    int best = ensemble.answer();
    List<Float> probabilities = new ArrayList<>();
    for (float p : ensemble.probabilities()) {
      probabilities.add(p);
    }
    StagedImage.Origin origin = image.origin();
    return Classification.newBuilder()
        .setId(origin.id())
        .setClassIndex(best)
        .setClassName(manifest.classNames().get(best))
        .setConfidence(ensemble.confidence(measure))
        .setExitStage(ensemble.lastExit())
        .setModelName(manifest.name())
        .setModelVersion(manifest.version())
        .setStageTimings(image.timings())
        .setProbabilities(probabilities)
        .setLabel(origin.label())
        .setSentAt(origin.sentAt())
        .setDecidedAt(decidedAt)
        .setSource(origin.source())
        .setAttributes(origin.attributes())
        .build();
  }
}
