package io.aepstreams.model.backbone;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import io.aepstreams.model.TorchEngine;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MaxPoolTest {
  @BeforeAll
  static void engine() {
    TorchEngine.start();
  }

  private static NDArray pooled(MaxPool pool, NDArray x, boolean training) {
    return pool.forward(new ParameterStore(x.getManager(), false), new NDList(x), training).singletonOrThrow();
  }

  private static NDArray reference(NDArray x, int k) {
    return reference(x, k, k, 0);
  }

  private static NDArray reference(NDArray x, int kernel, int stride, int padding) {
    return Pool.maxPool2d(x, new Shape(kernel, kernel), new Shape(stride, stride), new Shape(padding, padding),
        false);
  }

  @ParameterizedTest
  @CsvSource({"2, 2, 0, 8, 8", "2, 2, 0, 7, 9", "2, 2, 0, 28, 28", "3, 3, 0, 10, 7", "1, 1, 0, 5, 5",
      "3, 2, 1, 16, 16", "3, 2, 1, 15, 9", "3, 2, 1, 2, 3", "3, 1, 1, 6, 5", "2, 1, 0, 5, 6"})
  void givesPyTorchsMaxPoolValuesToTheBit(int kernel, int stride, int padding, int height, int width) {
    try (NDManager manager = NDManager.newBaseManager()) {
      manager.getEngine().setRandomSeed(7);
      NDArray x = manager.randomNormal(new Shape(3, 5, height, width));
      MaxPool pool = MaxPool.of(kernel, stride, padding);
      pool.initialize(manager, DataType.FLOAT32, x.getShape());
      NDArray fast = pooled(pool, x, false);
      NDArray expected = reference(x, kernel, stride, padding);
      assertEquals(expected.getShape(), fast.getShape());
      assertEquals(expected.getShape(), pool.getOutputShapes(new Shape[] {x.getShape()})[0]);
      assertArrayEquals(expected.toFloatArray(), fast.toFloatArray(), 0f);
      // training runs PyTorch's own pool, whose gradient it has always had
      assertArrayEquals(expected.toFloatArray(), pooled(pool, x, true).toFloatArray(), 0f);
    }
  }

  @Test
  void refusesWhatPyTorchRefuses() {
    assertThrows(IllegalArgumentException.class, () -> MaxPool.of(2, 2, 2), "padding beyond half the kernel");
    assertThrows(IllegalArgumentException.class, () -> MaxPool.of(0, 1, 0));
    try (NDManager manager = NDManager.newBaseManager()) {
      assertThrows(IllegalArgumentException.class, () -> MaxPool.stridedMaxima(manager.zeros(new Shape(1, 1, 2, 5)),
          3, 3, 0), "a window larger than the input");
    }
  }

  @ParameterizedTest
  @CsvSource({"0, 0", "1, 1", "0, 1"})
  void aNaNInAWindowIsThatWindowsMaximumAsInPyTorch(int row, int col) {
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray x = manager.arange(64f).reshape(1, 1, 8, 8);
      x.set(new NDIndex("0, 0, {}, {}", row, col), Float.NaN);
      MaxPool pool = MaxPool.of(2);
      pool.initialize(manager, DataType.FLOAT32, x.getShape());
      float[] fast = pooled(pool, x, false).toFloatArray();
      assertTrue(Float.isNaN(fast[0]), "the window holding the NaN");
      assertArrayEquals(reference(x, 2).toFloatArray(), fast, 0f);
    }
  }
}
