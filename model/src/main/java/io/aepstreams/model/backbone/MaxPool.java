package io.aepstreams.model.backbone;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * A k x k max-pool of stride k (VGG's 2x2), the same values as PyTorch's {@code max_pool2d}, computed at inference as
 * the element-wise maximum of the k x k strided views of its input. On the CPU, libtorch's {@code max_pool2d} over
 * NCHW took longer than the 3x3 convolution before it (vgg-mini's first stage at batch 32: 0.14 ms an image against
 * 0.12; the strided maxima 0.018), a third of the stage: docs/results/pipeline-overhead.md. Training keeps
 * {@code max_pool2d}, whose gradient goes to one element of a tied window where {@code maximum}'s is shared, so that
 * a training run's history does not change. A {@link LambdaBlock}, so bundles save and load it as they always have.
 */
public final class MaxPool extends LambdaBlock {
  private final int k;

  private MaxPool(int k) {
    super(list -> new NDList(Pool.maxPool2d(list.singletonOrThrow(), new Shape(k, k), new Shape(k, k),
        new Shape(0, 0), false)), "maxPool2d");
    this.k = k;
  }

  /** A k x k pool of stride k, no padding, the output's size rounded down. */
  public static MaxPool of(int k) {
    if (k < 1) {
      throw new IllegalArgumentException("pool size " + k);
    }
    return new MaxPool(k);
  }

  @Override
  protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
      PairList<String, Object> params) {
    return training ? super.forwardInternal(store, inputs, true, params)
        : new NDList(stridedMaxima(inputs.singletonOrThrow(), k));
  }

  /** The maximum over each k x k window of an (N, C, H, W) array, windows k apart, rows first, then columns. */
  static NDArray stridedMaxima(NDArray x, int k) {
    long[] dims = x.getShape().getShape();
    if (dims.length != 4) {
      throw new IllegalArgumentException("a 2-D max-pool takes (N, C, H, W), not " + x.getShape());
    }
    long rows = dims[2] / k * k;
    long cols = dims[3] / k * k;
    NDArray byRows = x.get(new NDIndex(":, :, 0:" + rows + ":" + k + ", :"));
    for (int i = 1; i < k; i++) {
      byRows = byRows.maximum(x.get(new NDIndex(":, :, " + i + ":" + rows + ":" + k + ", :")));
    }
    NDArray out = byRows.get(new NDIndex(":, :, :, 0:" + cols + ":" + k));
    for (int j = 1; j < k; j++) {
      out = out.maximum(byRows.get(new NDIndex(":, :, :, " + j + ":" + cols + ":" + k)));
    }
    return out;
  }
}
