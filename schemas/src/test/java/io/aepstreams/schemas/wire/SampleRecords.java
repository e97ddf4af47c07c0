package io.aepstreams.schemas.wire;

import io.aepstreams.records.Classification;
import io.aepstreams.records.ImageEncoding;
import io.aepstreams.records.ImageRecord;
import io.aepstreams.records.PartialInference;
import io.aepstreams.records.SourceOffset;
import io.aepstreams.records.StageTiming;
import io.aepstreams.records.Tensor;
import io.aepstreams.records.TensorDType;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** One record of each type with every field set, optional ones included. */
final class SampleRecords {
  private SampleRecords() {}

  static ImageRecord image() {
    byte[] pixels = new byte[28 * 28];
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = (byte) (i * 7);
    }
    return ImageRecord.newBuilder()
        .setId("img-42")
        .setEncoding(ImageEncoding.RAW_U8)
        .setData(ByteBuffer.wrap(pixels))
        .setWidth(28).setHeight(28).setChannels(1)
        .setLabel(3)
        .setCapturedAt(Instant.ofEpochMilli(1_700_000_000_000L))
        .setSentAt(Instant.ofEpochMilli(1_700_000_000_123L))
        .setAttributes(Map.of("camera", "line-2"))
        .build();
  }

  static Classification classification() {
    return Classification.newBuilder()
        .setId("img-42")
        .setClassIndex(3)
        .setClassName("Dress")
        .setConfidence(0.97)
        .setExitStage(2)
        .setModelName("vgg-mini")
        .setModelVersion("sha256:abc")
        .setStageTimings(List.of(new StageTiming(1, 120L, "edge-0"), new StageTiming(2, 340L, null)))
        .setProbabilities(List.of(0.01f, 0.01f, 0.01f, 0.97f))
        .setLabel(3)
        .setSentAt(Instant.ofEpochMilli(1_700_000_000_123L))
        .setDecidedAt(Instant.ofEpochMilli(1_700_000_000_456L))
        .setSource(new SourceOffset("aep.images", 2, 99L))
        .setAttributes(Map.of("camera", "line-2"))
        .build();
  }

  static PartialInference partial() {
    ByteBuffer tensorBytes = ByteBuffer.allocate(4 * 2 * 2 * 4);
    for (int i = 0; i < 16; i++) {
      tensorBytes.putFloat(i * 0.5f);
    }
    tensorBytes.flip();
    return PartialInference.newBuilder()
        .setId("img-42")
        .setModelName("vgg-mini")
        .setModelVersion("sha256:abc")
        .setNextStage(2)
        .setTensor(new Tensor(List.of(4, 2, 2), TensorDType.FLOAT32, tensorBytes, null))
        .setEnsembleScores(List.of(0.5f, -1.25f, 3f))
        .setExitsRun(List.of(1))
        .setStageTimings(List.of(new StageTiming(1, 120L, "edge-0")))
        .setLabel(null)
        .setSentAt(Instant.ofEpochMilli(1_700_000_000_123L))
        .setOriginalKey(ByteBuffer.wrap(new byte[] {1, 2, 3}))
        .setSource(new SourceOffset("aep.images", 0, 7L))
        .setAttributes(Map.of())
        .build();
  }
}
