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
 * A max-pool (VGG's 2x2 of stride 2, ResNet's 3x3 of stride 2 padded by 1), the same values as PyTorch's
 * {@code max_pool2d}, computed at inference as the element-wise maximum of the kernel's strided views of its input
 * (padded with -infinity, as {@code max_pool2d} pads). On the CPU, libtorch's {@code max_pool2d} over NCHW took longer
 * than the 3x3 convolution before it (vgg-mini's first stage at batch 32: 0.14 ms an image against 0.12; the strided
 * maxima 0.018), a third of the stage: docs/results/pipeline-overhead.md. Training keeps {@code max_pool2d}, whose
 * gradient goes to one element of a tied window where {@code maximum}'s is shared, so that a training run's history
 * does not change. A {@link LambdaBlock}, so bundles save and load it as they always have.
 */
public final class MaxPool extends LambdaBlock {
  private final int kernel;
  private final int stride;
  private final int padding;

  private MaxPool(int kernel, int stride, int padding) {
    super(list -> new NDList(Pool.maxPool2d(list.singletonOrThrow(), new Shape(kernel, kernel),
        new Shape(stride, stride), new Shape(padding, padding), false)), "maxPool2d");
    this.kernel = kernel;
    this.stride = stride;
    this.padding = padding;
  }

  /** A k x k pool of stride k, no padding, the output's size rounded down. */
  public static MaxPool of(int k) {
    return of(k, k, 0);
  }

  /** A square pool, padded on every side, the output's size rounded down (PyTorch's ceil_mode off). */
  public static MaxPool of(int kernel, int stride, int padding) {
    if (kernel < 1 || stride < 1 || padding < 0 || 2 * padding > kernel) {
      throw new IllegalArgumentException("max-pool of kernel " + kernel + ", stride " + stride + ", padding "
          + padding + " (PyTorch takes padding up to half the kernel)");
    }
    return new MaxPool(kernel, stride, padding);
  }

  @Override
  protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
      PairList<String, Object> params) {
    return training ? super.forwardInternal(store, inputs, true, params)
        : new NDList(stridedMaxima(inputs.singletonOrThrow(), kernel, stride, padding));
  }

  /** The maximum over each window of an (N, C, H, W) array: rows first, then columns. */
  static NDArray stridedMaxima(NDArray x, int kernel, int stride, int padding) {
    long[] dims = x.getShape().getShape();
    if (dims.length != 4) {
      throw new IllegalArgumentException("a 2-D max-pool takes (N, C, H, W), not " + x.getShape());
    }
    long height = dims[2] + 2L * padding;
    long width = dims[3] + 2L * padding;
    if (height < kernel || width < kernel) {
      throw new IllegalArgumentException("a " + kernel + "x" + kernel + " max-pool cannot take " + x.getShape()
          + " padded by " + padding);
    }
    NDArray in = padding == 0 ? x : x.pad(new Shape(padding, padding, padding, padding), Double.NEGATIVE_INFINITY);
    long rows = (height - kernel) / stride * stride + 1; // the span of the first row offset's view
    long cols = (width - kernel) / stride * stride + 1;
    NDArray byRows = null;
    for (int i = 0; i < kernel; i++) {
      NDArray view = in.get(new NDIndex().addAllDim(2).addSliceDim(i, i + rows, stride));
      byRows = byRows == null ? view : byRows.maximum(view);
    }
    NDArray out = null;
    for (int j = 0; j < kernel; j++) {
      NDArray view = byRows.get(new NDIndex().addAllDim(3).addSliceDim(j, j + cols, stride));
      out = out == null ? view : out.maximum(view);
    }
    return out;
  }
}
