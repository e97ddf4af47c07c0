package io.aepstreams.streams.handoff;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.aepstreams.records.PartialInference;
import io.aepstreams.records.Quantization;
import io.aepstreams.records.Tensor;
import io.aepstreams.records.TensorDType;
import io.aepstreams.schemas.wire.AvroSerde;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class HandoffEncodingTest {
  private static final long[] SHAPE = {4, 3, 5};

  /** Values as a stage's output has them: a ReLU's zeros and positives, some channels signed, one all zero. */
  private static float[] activations(long seed) {
    Random random = new Random(seed);
    float[] values = new float[60];
    for (int i = 0; i < values.length; i++) {
      int channel = i / 15;
      values[i] = switch (channel) {
        case 0 -> Math.max(0, (float) random.nextGaussian() * 3);
        case 1 -> (float) random.nextGaussian() * 0.01f;
        case 2 -> 0f;
        default -> 5 + random.nextFloat() * 2;
      };
    }
    return values;
  }

  @Test
  void everyHalfRoundTripsThroughFloatToItself() {
    for (int bits = 0; bits < 0x10000; bits++) {
      short half = (short) bits;
      float value = Float16.toFloat(half);
      if (Float.isNaN(value)) {
        assertTrue(Float.isNaN(Float16.toFloat(Float16.fromFloat(value))));
        continue;
      }
      assertEquals(half, Float16.fromFloat(value), "half 0x" + Integer.toHexString(bits));
    }
  }

  /** PyTorch's own conversion is the reference: a deep stage on a GPU would round the same way. */
  @Test
  void floatToHalfRoundsExactlyAsPyTorchDoes() {
    Random random = new Random(7);
    float[] values = new float[20_000];
    for (int i = 0; i < values.length; i++) {
      values[i] = switch (i % 4) {
        case 0 -> (float) random.nextGaussian() * 10;
        case 1 -> (float) (random.nextGaussian() * 1e-5); // subnormal halves
        case 2 -> Float.intBitsToFloat(random.nextInt()) % 70_000f; // any bits, within half's range and around it
        default -> Float16.toFloat((short) random.nextInt(0x7c00)) + Math.ulp(Float16.toFloat((short) 1)) / 2; // ties
      };
    }
    values[0] = 65504f;
    values[1] = 65519.99f;
    values[2] = -0f;
    values[3] = Float.MIN_VALUE;
    short[] torch;
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray halves = manager.create(values).toType(DataType.FLOAT16, false);
      ByteBuffer bytes = halves.toByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
      torch = new short[values.length];
      bytes.asShortBuffer().get(torch);
    }
    for (int i = 0; i < values.length; i++) {
      if (!Float.isNaN(values[i])) {
        assertEquals(torch[i], Float16.fromFloat(values[i]), "value " + values[i] + " (bits 0x"
            + Integer.toHexString(Float.floatToRawIntBits(values[i])) + ")");
      }
    }
  }

  @Test
  void float32IsExact() {
    float[] values = activations(1);
    Tensor tensor = HandoffEncoding.FLOAT32.encode(values, SHAPE);
    assertEquals(TensorDType.FLOAT32, tensor.getDtype());
    assertNull(tensor.getQuantization());
    assertArrayEquals(values, HandoffEncoding.decode(tensor));
  }

  @Test
  void float16KeepsElevenSignificantBits() {
    float[] values = activations(2);
    Tensor tensor = HandoffEncoding.FLOAT16.encode(values, SHAPE);
    assertEquals(TensorDType.FLOAT16, tensor.getDtype());
    assertEquals(values.length * 2, tensor.getData().remaining());
    float[] back = HandoffEncoding.decode(tensor);
    for (int i = 0; i < values.length; i++) {
      // relative error at most 2^-11 for normal halves; absolute 2^-25 around zero
      assertEquals(values[i], back[i], Math.max(Math.abs(values[i]) / 2048, 0x1p-25f), "element " + i);
    }
  }

  @Test
  void int8IsWithinHalfAStepOfEachChannelAndKeepsZerosExact() {
    float[] values = activations(3);
    Tensor tensor = HandoffEncoding.INT8.encode(values, SHAPE);
    assertEquals(TensorDType.INT8, tensor.getDtype());
    assertEquals(values.length, tensor.getData().remaining());
    Quantization q = tensor.getQuantization();
    assertEquals(0, q.getAxis());
    assertEquals(4, q.getScales().size(), "a scale per channel");
    float[] back = HandoffEncoding.decode(tensor);
    for (int i = 0; i < values.length; i++) {
      float step = q.getScales().get(i / 15);
      assertEquals(values[i], back[i], step / 2 * 1.0001f, "element " + i);
      if (values[i] == 0) {
        assertEquals(0f, back[i], "a ReLU's zero stays zero, element " + i);
      }
    }
    float[] channel1 = Arrays.copyOfRange(values, 15, 30);
    float range = 0;
    for (float v : channel1) {
      range = Math.max(range, Math.abs(v));
    }
    assertTrue(q.getScales().get(1) < range / 100, "a quiet channel gets its own fine step, not the loud one's");
  }

  @Test
  void aVectorIsQuantisedAsOneChannel() {
    Tensor tensor = HandoffEncoding.INT8.encode(new float[] {-1, 0, 2, 3}, new long[] {4});
    assertEquals(-1, tensor.getQuantization().getAxis());
    assertEquals(1, tensor.getQuantization().getScales().size());
    assertArrayEquals(new float[] {-1, 0, 2, 3}, HandoffEncoding.decode(tensor), 4f / 255 / 2 * 1.0001f);
  }

  @Test
  void float16BeyondItsRangeGoesAsFloat32() {
    float[] values = activations(4);
    values[7] = 70_000f;
    Tensor tensor = HandoffEncoding.FLOAT16.encode(values, SHAPE);
    assertEquals(TensorDType.FLOAT32, tensor.getDtype());
    assertArrayEquals(values, HandoffEncoding.decode(tensor));
  }

  @ParameterizedTest
  @EnumSource(HandoffEncoding.class)
  void aTensorWithNaNGoesAsFloat32SoTheReaderRefusesItAsBefore(HandoffEncoding encoding) {
    float[] values = activations(5);
    values[3] = Float.NaN;
    Tensor tensor = encoding.encode(values, SHAPE);
    assertEquals(TensorDType.FLOAT32, tensor.getDtype());
    assertTrue(Float.isNaN(HandoffEncoding.decode(tensor)[3]));
  }

  /** The topic plan sizes stage topics by {@link HandoffEncoding#maxTensorBytes}: no record may exceed it. */
  @ParameterizedTest
  @EnumSource(HandoffEncoding.class)
  void theSizeThePlanAllowsHoldsTheTensorAsAvroWritesIt(HandoffEncoding encoding) {
    long[] shape = {200, 3, 3};
    float[] values = new float[1800];
    Random random = new Random(6);
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) random.nextGaussian() * 1e4f;
    }
    try (AvroSerde<PartialInference> serde = new AvroSerde<>(PartialInference.class)) {
      serde.configure(Map.of("schema.registry.url", "mock://encoding-test"), false);
      PartialInference bare = PartialInference.newBuilder().setId("").setModelName("").setModelVersion("")
          .setNextStage(2).setTensor(encoding.encode(new float[1], new long[] {1})).build();
      PartialInference full = PartialInference.newBuilder(bare).setTensor(encoding.encode(values, shape)).build();
      long tensorBytes = serde.serializer().serialize("t", full).length - serde.serializer().serialize("t", bare).length;
      long allowed = encoding.maxTensorBytes(List.of(200L, 3L, 3L));
      // float16 is allowed float32's room (it may fall back); int8 room for the widest zero points
      assertTrue(tensorBytes <= allowed && tensorBytes > allowed * 0.45, encoding + ": " + tensorBytes
          + " bytes written, " + allowed + " allowed");
    }
  }

  @Test
  void malformedTensorsAreRefusedInWords() {
    ByteBuffer four = ByteBuffer.wrap(new byte[4]);
    assertTrue(assertThrows(IllegalArgumentException.class, () -> HandoffEncoding.decode(new Tensor(List.of(4, 1),
        TensorDType.INT8, four, null))).getMessage().contains("without its scales"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> HandoffEncoding.decode(new Tensor(List.of(4, 1),
        TensorDType.INT8, four, new Quantization(0, List.of(1f), List.of(0))))).getMessage()
        .contains("1 scales"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> HandoffEncoding.decode(new Tensor(List.of(1, 4),
        TensorDType.INT8, four, new Quantization(0, List.of(-1f), List.of(0))))).getMessage()
        .contains("scale -1.0"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> HandoffEncoding.decode(new Tensor(List.of(1, 4),
        TensorDType.INT8, four, new Quantization(0, List.of(1f), List.of(300))))).getMessage()
        .contains("zero point 300"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> HandoffEncoding.decode(new Tensor(List.of(4),
        TensorDType.FLOAT16, four, null))).getMessage().contains("4 tensor bytes; shape [4] in FLOAT16 needs 8"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> HandoffEncoding.decode(new Tensor(List.of(4),
        TensorDType.UNKNOWN, four, null))).getMessage().contains("UNKNOWN"));
  }

  @Test
  void theSettingIsParsedWithAOneLineMessageForAnythingElse() {
    assertEquals(HandoffEncoding.INT8, HandoffEncoding.parse(" INT8 "));
    assertEquals("int8", HandoffEncoding.INT8.setting());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HandoffEncoding.parse("fp8"));
    assertEquals("a hand-off encoding is float32, float16 or int8, not 'fp8'", e.getMessage());
  }
}
