package io.aepstreams.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Scalars for arithmetic inside a training graph. DJL's {@code x.mul(2f)} wraps the number in a tensor that points
 * into a Java buffer and closes it at once; autograd keeps that tensor for the backward pass, and by then the
 * garbage collector may have freed the buffer, so the gradient is scaled by whatever lies there (training then
 * differs run to run and can go NaN). A scalar from here is filled by libtorch in its own memory, which the graph
 * keeps alive for as long as it needs it.
 */
public final class TorchScalar {
  private TorchScalar() {}

  /** A 0-dimensional array holding {@code value}, of {@code like}'s type, on its device, in its manager. */
  public static NDArray like(NDArray like, double value) {
    return like.getManager().full(new Shape(), (float) value, like.getDataType());
  }

  /** {@code x * value}, safe to differentiate. */
  public static NDArray times(NDArray x, double value) {
    return x.mul(like(x, value));
  }
}
