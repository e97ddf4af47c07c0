package io.aepstreams.streams.topology;

import io.aepstreams.model.bundle.Manifest;
import io.aepstreams.model.policy.PartialEnsemble;
import io.aepstreams.records.EarlyAnswer;
import io.aepstreams.records.ImageRecord;
import io.aepstreams.records.OperatingPointRef;
import io.aepstreams.records.PartialInference;
import io.aepstreams.records.SourceOffset;
import io.aepstreams.records.StageTiming;
import io.aepstreams.streams.handoff.HandoffEncoding;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import io.aepstreams.streams.decode.RejectedRecordException.Reason;
import io.aepstreams.streams.dlq.FailedImage;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.Headers;

/**
 * One image between the stages of an instance: where it came from, the tensor its next stage takes (batch dimension
 * excluded), its partial ensemble and the time each stage took. Immutable: a stage makes the next one with
 * {@link #after}. Between instances it travels as a {@link PartialInference} ({@link #handoff}).
 *
 * @param decidedBy the operating point that let the image out; null until it leaves
 * @param audit set on an audited copy: the answer the image already left with; the copy runs to the last kept exit
 *     only to be compared with it, and no second result is written
 */
public record StagedImage(Origin origin, float[] tensor, long[] shape, PartialEnsemble ensemble,
    List<StageTiming> timings, OperatingPointRef decidedBy, EarlyAnswer audit) {

  /**
   * What an image keeps from its input record on the way: the record's key, timestamp and headers (its results are
   * written with them), the fields the result carries, and the record it entered this instance as.
   *
   * @param entered the {@link ImageRecord} or the {@link PartialInference} this instance read the image from, kept
   *     while the image is in the instance: a waiting image is stored as it came (so that whichever model version
   *     takes it over reads it its own way), and an image that fails is dead-lettered with it; null in the
   *     benchmark's model loop, which reads no records
   */
  public record Origin(byte[] recordKey, long timestamp, Headers headers, String id, Integer label, Instant sentAt,
      SourceOffset source, Map<String, String> attributes, byte[] originalKey, SpecificRecord entered) {
    public Origin {
      if (entered != null && !(entered instanceof ImageRecord) && !(entered instanceof PartialInference)) {
        throw new IllegalArgumentException("an image enters as an ImageRecord or a PartialInference, not "
            + entered.getClass().getName());
      }
    }

    /** This image's dead letter: {@code enteredTopic} is where the instance read {@link #entered} from. */
    public FailedImage failed(Reason reason, Throwable error, String enteredTopic) {
      return new FailedImage(id, recordKey, headers, entered, enteredTopic, null, source, reason, error);
    }
  }

  public StagedImage {
    timings = List.copyOf(timings);
  }

  /** An image on its way, not yet decided and not an audit copy. */
  public StagedImage(Origin origin, float[] tensor, long[] shape, PartialEnsemble ensemble, List<StageTiming> timings) {
    this(origin, tensor, shape, ensemble, timings, null, null);
  }

  /** This image as it leaves, decided by {@code point}. */
  StagedImage decided(OperatingPointRef point) {
    return new StagedImage(origin, new float[0], shape, ensemble, timings, point, audit);
  }

  /** A copy of this image that runs on to the last kept exit, to be compared with {@code early}. */
  StagedImage audited(EarlyAnswer early) {
    return new StagedImage(origin, tensor, shape, ensemble, timings, null, early);
  }

  public boolean isAudit() {
    return audit != null;
  }

  /**
   * An image that never came through Kafka, decoded by {@code decoder} for stage 1: what the benchmark's model loop
   * and the split planner run, with the record's id and label and nothing else of a record's.
   */
  public static StagedImage decoded(ImageRecord record, io.aepstreams.streams.decode.ImageDecoder decoder,
      io.aepstreams.model.data.InputSpec input) {
    Origin origin = new Origin(null, 0, null, record.getId().toString(), record.getLabel(), null, null, Map.of(),
        null, null);
    return new StagedImage(origin, decoder.decode(record), new long[] {input.channels(), input.height(),
        input.width()}, PartialEnsemble.NONE, List.of());
  }

  /** This image after a stage: its output, its ensemble (with the stage's exit, if kept), and the stage's time. */
  StagedImage after(float[] output, long[] outputShape, PartialEnsemble next, StageTiming timing) {
    List<StageTiming> all = new ArrayList<>(timings.size() + 1);
    all.addAll(timings);
    all.add(timing);
    return new StagedImage(origin, output, outputShape, next, all, decidedBy, audit);
  }

  /**
   * The record this image is handed to stage {@code nextStage} of {@code manifest}'s model as, on its stage topic,
   * its tensor in {@code encoding}.
   */
  public PartialInference handoff(Manifest manifest, int nextStage, HandoffEncoding encoding) {
    List<Float> scores = new ArrayList<>();
    for (float s : ensemble.scores()) {
      scores.add(s);
    }
    return PartialInference.newBuilder()
        .setId(origin.id())
        .setModelName(manifest.name())
        .setModelVersion(manifest.version())
        .setNextStage(nextStage)
        .setTensor(encoding.encode(tensor, shape))
        .setEnsembleScores(scores)
        .setExitsRun(ensemble.exitsRun())
        .setStageTimings(timings)
        .setLabel(origin.label())
        .setSentAt(origin.sentAt())
        .setOriginalKey(origin.originalKey() == null ? null : ByteBuffer.wrap(origin.originalKey()))
        .setSource(origin.source())
        .setAttributes(origin.attributes())
        .setAudit(audit)
        .build();
  }
}
