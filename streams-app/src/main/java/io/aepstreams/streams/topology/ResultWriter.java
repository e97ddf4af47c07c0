package io.aepstreams.streams.topology;

import io.aepstreams.model.bundle.Manifest;
import io.aepstreams.model.policy.Confidence;
import io.aepstreams.model.policy.PartialEnsemble;
import io.aepstreams.records.Classification;
import io.aepstreams.streams.decode.RejectedRecordException.Reason;
import io.aepstreams.streams.runtime.PipelineMetrics;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Writes one result per image that left at an exit, with its input record's key, timestamp and headers, serialised
 * here ({@link TopicWriter}) so that a result that cannot be written is its own image's dead letter.
 */
final class ResultWriter extends ContextualProcessor<byte[], Batch, byte[], byte[]> {
  private final Manifest manifest;
  private final Confidence measure;
  private final TopicWriter<Classification> out;
  private final String inputTopic;
  /** Each exit stage's meters, looked up once: a registry look-up per image costs more than the recording. */
  private final java.util.Map<Integer, ExitMeters> meters = new java.util.HashMap<>();

  private record ExitMeters(io.micrometer.core.instrument.Counter results, io.micrometer.core.instrument.Timer latency) {
    static ExitMeters of(int exitStage) {
      return new ExitMeters(PipelineMetrics.classifications(exitStage), PipelineMetrics.decisionLatency(exitStage));
    }
  }

  ResultWriter(Manifest manifest, Confidence measure, TopicWriter<Classification> out, String inputTopic) {
    this.manifest = manifest;
    this.measure = measure;
    this.out = out;
    this.inputTopic = inputTopic;
  }

  @Override
  public void process(Record<byte[], Batch> record) {
    Instant decidedAt = Instant.now();
    ImageFailures failed = new ImageFailures(inputTopic);
    for (StagedImage image : record.value().images()) {
      StagedImage.Origin origin = image.origin();
      Classification result;
      byte[] bytes;
      try {
        result = classification(image, decidedAt);
        bytes = out.bytes(origin.recordKey(), result, origin.headers());
      } catch (RuntimeException e) {
        failed.judge(e, image, Reason.UNWRITABLE_RESULT);
        continue;
      }
      ExitMeters exit = meters.computeIfAbsent(result.getExitStage(), ExitMeters::of);
      exit.results().increment();
      exit.latency().record(Math.max(0, decidedAt.toEpochMilli() - origin.timestamp()),
          java.util.concurrent.TimeUnit.MILLISECONDS);
      context().forward(new Record<>(origin.recordKey(), bytes, origin.timestamp(), origin.headers()));
    }
    failed.throwIfAny();
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
        .setOperatingPoint(image.decidedBy())
        .build();
  }
}
