package io.aepstreams.streams.handoff;

import io.aepstreams.records.Quantization;
import io.aepstreams.records.Tensor;
import io.aepstreams.records.TensorDType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * How the instance that writes a hand-off encodes its tensor ({@code aep.handoff.encoding}). The reader needs no
 * setting: the record says how it was written ({@link #decode}), so instances may change encoding one at a time.
 *
 * <ul>
 *   <li>{@code float32}: the stage's output as it is, 4 bytes an element;
 *   <li>{@code float16}: IEEE half, 2 bytes; a tensor with a value beyond half's range (65504) goes as float32;
 *   <li>{@code int8}: 1 byte, with a scale and a zero point per channel (the tensor's first dimension), computed
 *       per image from the channel's range, widened to take 0 so that a ReLU's zeros stay exact.
 * </ul>
 * A tensor with NaN or infinity goes as float32 whatever the setting, so that the reader refuses it as it always has.
 */
public enum HandoffEncoding {
  FLOAT32(TensorDType.FLOAT32, Float.BYTES),
  FLOAT16(TensorDType.FLOAT16, 2),
  INT8(TensorDType.INT8, 1);

  /** What a deployment uses when {@code aep.handoff.encoding} is unset; chosen from docs/results/handoff-agreement. */
  public static final HandoffEncoding DEFAULT = FLOAT16;

  private final TensorDType dtype;
  private final int elementBytes;

  HandoffEncoding(TensorDType dtype, int elementBytes) {
    this.dtype = dtype;
    this.elementBytes = elementBytes;
  }

  /** The setting's spelling: float32, float16, int8. */
  public String setting() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The setting's value in words, or an error that lists the choices. */
  public static HandoffEncoding parse(String text) {
    for (HandoffEncoding encoding : values()) {
      if (encoding.setting().equals(text.strip().toLowerCase(Locale.ROOT))) {
        return encoding;
      }
    }
    throw new IllegalArgumentException("a hand-off encoding is float32, float16 or int8, not '" + text + "'");
  }

  /**
   * The most bytes a tensor of {@code shape} takes in this encoding, as its Avro fields (data, shape, quantisation)
   * are written: what the topic plan sizes stage topics by. A float16 tensor may fall back to float32.
   */
  public long maxTensorBytes(List<Long> shape) {
    long elements = shape.stream().mapToLong(Long::longValue).reduce(1, (a, b) -> a * b);
    long dims = 10L * (shape.size() + 1); // varint lengths: at most 5 bytes a value, block counts
    return switch (this) {
      case FLOAT32, FLOAT16 -> elements * Float.BYTES + dims + 10;
      case INT8 -> elements + dims + 10 + 32 + channels(shape) * (Float.BYTES + 5L);
    };
  }

  /** The channels of a tensor of this shape, each with its own scale: its first dimension, or one for a vector. */
  static int channels(List<Long> shape) {
    return shape.size() >= 2 ? Math.toIntExact(shape.get(0)) : 1;
  }

  /** {@code values} (of {@code shape}, row-major) as the record's tensor, in this encoding where it can be. */
  public Tensor encode(float[] values, long[] shape) {
    List<Integer> dims = new ArrayList<>(shape.length);
    for (long d : shape) {
      dims.add(Math.toIntExact(d));
    }
    if (this != FLOAT32 && allFinite(values)) {
      if (this == FLOAT16) {
        ByteBuffer bytes = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        boolean fits = true;
        for (float v : values) {
          short half = Float16.fromFloat(v);
          fits &= (half & 0x7c00) != 0x7c00;
          bytes.putShort(half);
        }
        if (fits) {
          return new Tensor(dims, dtype, bytes.flip(), null);
        }
      } else {
        return int8(values, dims);
      }
    }
    ByteBuffer bytes = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    bytes.asFloatBuffer().put(values);
    return new Tensor(dims, TensorDType.FLOAT32, bytes, null);
  }

  private Tensor int8(float[] values, List<Integer> dims) {
    int channels = channels(dims.stream().map(Integer::longValue).toList());
    int per = values.length / channels;
    byte[] data = new byte[values.length];
    List<Float> scales = new ArrayList<>(channels);
    List<Integer> zeroPoints = new ArrayList<>(channels);
    for (int c = 0; c < channels; c++) {
      float lo = 0;
      float hi = 0;
      for (int i = c * per; i < (c + 1) * per; i++) {
        lo = Math.min(lo, values[i]);
        hi = Math.max(hi, values[i]);
      }
      float scale = (hi - lo) / 255f;
      if (!(scale > 0) || !Float.isFinite(scale)) {
        scale = hi > lo ? Float.MIN_NORMAL : 1f; // a channel of zeros (or a range too narrow for a float)
      }
      int zeroPoint = clamp(Math.round(-128 - lo / scale));
      for (int i = c * per; i < (c + 1) * per; i++) {
        data[i] = (byte) clamp(Math.round(values[i] / scale) + zeroPoint);
      }
      scales.add(scale);
      zeroPoints.add(zeroPoint);
    }
    return new Tensor(dims, TensorDType.INT8, ByteBuffer.wrap(data),
        new Quantization(dims.size() >= 2 ? 0 : -1, scales, zeroPoints));
  }

  private static int clamp(long q) {
    return (int) Math.max(-128, Math.min(127, q));
  }

  private static boolean allFinite(float[] values) {
    for (float v : values) {
      if (!Float.isFinite(v)) {
        return false;
      }
    }
    return true;
  }

  /**
   * The values {@code tensor} carries, whichever encoding wrote it, checked against its own shape.
   *
   * @throws IllegalArgumentException what is wrong with it, in words: a dtype this reader cannot take, too few or
   *     too many bytes, or quantisation that does not fit the tensor
   */
  public static float[] decode(Tensor tensor) {
    List<Long> shape = tensor.getShape().stream().map(Integer::longValue).toList();
    long elements = shape.stream().mapToLong(Long::longValue).reduce(1, (a, b) -> a * b);
    ByteBuffer data = tensor.getData().duplicate().order(ByteOrder.LITTLE_ENDIAN);
    HandoffEncoding encoding = Arrays.stream(values()).filter(e -> e.dtype == tensor.getDtype()).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("a " + tensor.getDtype() + " tensor, which this reader"
            + " cannot take (it takes FLOAT32, FLOAT16 and INT8)"));
    if (data.remaining() != elements * encoding.elementBytes) {
      throw new IllegalArgumentException(data.remaining() + " tensor bytes; shape " + shape + " in "
          + tensor.getDtype() + " needs " + elements * encoding.elementBytes);
    }
    float[] values = new float[(int) elements];
    switch (encoding) {
      case FLOAT32 -> data.asFloatBuffer().get(values);
      case FLOAT16 -> {
        for (int i = 0; i < values.length; i++) {
          values[i] = Float16.toFloat(data.getShort());
        }
      }
      case INT8 -> dequantise(tensor.getQuantization(), shape, data, values);
    }
    return values;
  }

  private static void dequantise(Quantization q, List<Long> shape, ByteBuffer data, float[] values) {
    if (q == null) {
      throw new IllegalArgumentException("an INT8 tensor without its scales and zero points");
    }
    int channels = q.getAxis() == -1 ? 1 : q.getAxis() == 0 && shape.size() >= 1 ? Math.toIntExact(shape.get(0)) : -1;
    if (channels < 1 || q.getScales().size() != channels || q.getZeroPoints().size() != channels) {
      throw new IllegalArgumentException("an INT8 tensor of shape " + shape + " quantised along axis " + q.getAxis()
          + " with " + q.getScales().size() + " scales and " + q.getZeroPoints().size() + " zero points");
    }
    int per = values.length / channels;
    for (int c = 0; c < channels; c++) {
      float scale = q.getScales().get(c);
      int zeroPoint = q.getZeroPoints().get(c);
      if (!(scale > 0) || !Float.isFinite(scale) || zeroPoint < -128 || zeroPoint > 127) {
        throw new IllegalArgumentException("an INT8 tensor whose channel " + c + " has scale " + scale
            + " and zero point " + zeroPoint + " (a scale is positive and finite, a zero point within -128..127)");
      }
      for (int i = c * per; i < (c + 1) * per; i++) {
        values[i] = scale * (data.get() - zeroPoint);
      }
    }
  }
}
