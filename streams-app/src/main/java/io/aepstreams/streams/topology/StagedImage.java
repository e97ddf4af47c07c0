package io.aepstreams.streams.topology;

import io.aepstreams.model.bundle.Manifest;
import io.aepstreams.model.policy.PartialEnsemble;
import io.aepstreams.records.ImageRecord;
import io.aepstreams.records.PartialInference;
import io.aepstreams.records.SourceOffset;
import io.aepstreams.records.StageTiming;
import io.aepstreams.records.Tensor;
import io.aepstreams.records.TensorDType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.Headers;

/**
 * One image between the stages of an instance: where it came from, the tensor its next stage takes (batch dimension
 * excluded), its partial ensemble and the time each stage took. Immutable: a stage makes the next one with
 * {@link #after}. Between instances it travels as a {@link PartialInference} ({@link #handoff}).
 *
 * @param decodedFrom the record the tensor was decoded from, kept until the first stage has run (an image waiting
 *     for stage 1 is stored as it came, so that whichever model version takes it over decodes it its own way);
 *     null after it, and for images resumed from a hand-off
 */
public record StagedImage(Origin origin, float[] tensor, long[] shape, PartialEnsemble ensemble,
    List<StageTiming> timings, ImageRecord decodedFrom) {

  /**
   * What an image keeps from its input record on the way: the record's key, timestamp and headers (its results are
   * written with them), and the fields the result carries.
   */
  public record Origin(byte[] recordKey, long timestamp, Headers headers, String id, Integer label, Instant sentAt,
      SourceOffset source, Map<String, String> attributes, byte[] originalKey) {}

  public StagedImage {
    timings = List.copyOf(timings);
  }

  /** This image after a stage: its output, its ensemble (with the stage's exit, if kept), and the stage's time. */
  StagedImage after(float[] output, long[] outputShape, PartialEnsemble next, StageTiming timing) {
    List<StageTiming> all = new ArrayList<>(timings.size() + 1);
    all.addAll(timings);
    all.add(timing);
    return new StagedImage(origin, output, outputShape, next, all, null);
  }

  /** The image as the next instance reads it, to run stage {@code nextStage} of {@code manifest}'s model. */
  PartialInference handoff(Manifest manifest, int nextStage) {
    ByteBuffer bytes = ByteBuffer.allocate(tensor.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    bytes.asFloatBuffer().put(tensor);
    List<Integer> dims = new ArrayList<>(shape.length);
    for (long d : shape) {
      dims.add((int) d);
    }
    List<Float> scores = new ArrayList<>();
    for (float s : ensemble.scores()) {
      scores.add(s);
    }
    return PartialInference.newBuilder()
        .setId(origin.id())
        .setModelName(manifest.name())
        .setModelVersion(manifest.version())
        .setNextStage(nextStage)
        .setTensor(new Tensor(dims, TensorDType.FLOAT32, bytes))
        .setEnsembleScores(scores)
        .setExitsRun(ensemble.exitsRun())
        .setStageTimings(timings)
        .setLabel(origin.label())
        .setSentAt(origin.sentAt())
        .setOriginalKey(origin.originalKey() == null ? null : ByteBuffer.wrap(origin.originalKey()))
        .setSource(origin.source())
        .setAttributes(origin.attributes())
        .build();
  }
}
