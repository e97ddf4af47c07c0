package io.aepstreams.model.backbone;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;

/** Convolution (no bias) -> BatchNorm -> activation, the unit every backbone here is made of. */
public final class ConvBnAct {
  /** PyTorch's BatchNorm defaults (eps 1e-5, momentum 0.1, i.e. DJL's 0.9). */
  public static final float EPS = 1e-5f;
  public static final float MOMENTUM = 0.9f;

  private ConvBnAct() {}

  /** A square convolution padded to keep the size at stride 1 ("same"). */
  public static SequentialBlock of(int filters, int kernel, int stride, int groups, Act act) {
    return of(filters, kernel, stride, groups, act, EPS, MOMENTUM);
  }

  public static SequentialBlock of(int filters, int kernel, int stride, int groups, Act act, float eps,
      float momentum) {
    SequentialBlock block = new SequentialBlock()
        .add(conv(filters, kernel, stride, groups, false))
        .add(BatchNorm.builder().optEpsilon(eps).optMomentum(momentum).build());
    Block activation = act.block();
    if (activation != null) {
      block.add(activation);
    }
    return block;
  }

  /** A bare square convolution, padding (kernel - 1) / 2. */
  public static Block conv(int filters, int kernel, int stride, int groups, boolean bias) {
    return Conv2d.builder()
        .setFilters(filters)
        .setKernelShape(new Shape(kernel, kernel))
        .optStride(new Shape(stride, stride))
        .optPadding(new Shape((kernel - 1) / 2, (kernel - 1) / 2))
        .optGroups(groups)
        .optBias(bias)
        .build();
  }
}
