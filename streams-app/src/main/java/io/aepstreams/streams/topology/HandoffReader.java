package io.aepstreams.streams.topology;

import static io.aepstreams.streams.decode.RejectedRecordException.Reason;

import io.aepstreams.model.bundle.Manifest;
import io.aepstreams.model.policy.PartialEnsemble;
import io.aepstreams.records.PartialInference;
import io.aepstreams.streams.decode.RejectedRecordException;
import io.aepstreams.streams.handoff.HandoffEncoding;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Takes an image handed over by the instance that ran the stages before this one, its tensor decoded from whichever
 * encoding the writer chose. A record from another model version, for another stage, or with a tensor of the wrong
 * shape or a malformed encoding is rejected with that reason: never misread.
 */
final class HandoffReader extends ContextualProcessor<byte[], PartialInference, byte[], StagedImage> {
  private final Manifest manifest;
  private final int firstStage;

  HandoffReader(Manifest manifest, int firstStage) {
    this.manifest = manifest;
    this.firstStage = firstStage;
  }

  @Override
  public void process(Record<byte[], PartialInference> record) {
    if (record.value() == null) {
      throw RejectedRecordException.tombstone(context());
    }
    StagedImage image;
    try {
      image = read(manifest, firstStage, record);
    } catch (RuntimeException e) {
      throw ImageFailures.ofTheRecord(e);
    }
    context().forward(record.withValue(image));
  }

  /** The image {@code record} hands over, checked to fit stage {@code firstStage} of {@code manifest}'s model. */
  static StagedImage read(Manifest manifest, int firstStage, Record<byte[], PartialInference> record) {
    PartialInference partial = record.value();
    if (!manifest.version().equals(partial.getModelVersion())) {
      throw new RejectedRecordException(Reason.MODEL_VERSION_MISMATCH, "image '" + partial.getId()
          + "' was computed by model version " + partial.getModelVersion() + " (" + partial.getModelName()
          + "); this instance serves " + manifest.version() + " (" + manifest.name() + ")");
    }
    if (partial.getNextStage() != firstStage) {
      throw new RejectedRecordException(Reason.WRONG_STAGE, "image '" + partial.getId() + "' needs stage "
          + partial.getNextStage() + "; this instance starts at stage " + firstStage);
    }
    List<Long> expected = manifest.stage(firstStage).inputShape();
    List<Long> shape = partial.getTensor().getShape().stream().map(Integer::longValue).toList();
    if (!expected.equals(shape)) {
      throw new RejectedRecordException(Reason.TENSOR_SHAPE_MISMATCH, "image '" + partial.getId()
          + "' carries a tensor of shape " + shape + "; stage " + firstStage + " takes " + expected);
    }
    float[] tensor;
    try {
      tensor = HandoffEncoding.decode(partial.getTensor());
    } catch (IllegalArgumentException e) {
      throw new RejectedRecordException(Reason.MALFORMED_TENSOR, "image '" + partial.getId() + "' carries "
          + e.getMessage() + "; stage " + firstStage + " cannot take it");
    }
    requireFinite(tensor, partial.getId(), "tensor");
    float[] scores = new float[0];
    double bSum = 0;
    if (!partial.getEnsembleScores().isEmpty() || !partial.getExitsRun().isEmpty()) {
      if (partial.getEnsembleScores().size() != manifest.classNames().size()) {
        throw new RejectedRecordException(Reason.MALFORMED_TENSOR, "image '" + partial.getId() + "' carries "
            + partial.getEnsembleScores().size() + " ensemble scores for a model of "
            + manifest.classNames().size() + " classes");
      }
      if (partial.getExitsRun().isEmpty()) {
        throw new RejectedRecordException(Reason.MALFORMED_TENSOR, "image '" + partial.getId()
            + "' carries ensemble scores but no exit that produced them");
      }
      scores = new float[partial.getEnsembleScores().size()];
      for (int i = 0; i < scores.length; i++) {
        scores[i] = partial.getEnsembleScores().get(i);
      }
      requireFinite(scores, partial.getId(), "ensemble scores");
      for (int stage : partial.getExitsRun()) {
        Manifest.Exit exit = manifest.exit(stage);
        if (exit == null) {
          throw new RejectedRecordException(Reason.MODEL_VERSION_MISMATCH, "image '" + partial.getId()
              + "' ran exit " + stage + ", which this model does not keep");
        }
        bSum += exit.b();
      }
    }
    byte[] key = partial.getOriginalKey() == null ? record.key() : bytes(partial.getOriginalKey());
    StagedImage.Origin origin = new StagedImage.Origin(record.key(), record.timestamp(), record.headers(),
        partial.getId().toString(), partial.getLabel(), partial.getSentAt(), partial.getSource(),
        Map.copyOf(partial.getAttributes()), key, partial);
    return new StagedImage(origin, tensor, expected.stream().mapToLong(Long::longValue).toArray(),
        PartialEnsemble.of(scores, bSum, partial.getExitsRun()), partial.getStageTimings(), null, partial.getAudit());
  }

  private static byte[] bytes(ByteBuffer buffer) {
    byte[] out = new byte[buffer.remaining()];
    buffer.duplicate().get(out);
    return out;
  }

  /** NaN or infinity would come out as class 0 with confidence NaN: reject instead of answering nonsense. */
  private static void requireFinite(float[] values, CharSequence id, String what) {
    for (int i = 0; i < values.length; i++) {
      if (!Float.isFinite(values[i])) {
        throw new RejectedRecordException(Reason.MALFORMED_TENSOR, "image '" + id + "' carries " + values[i]
            + " at index " + i + " of its " + what);
      }
    }
  }
}
