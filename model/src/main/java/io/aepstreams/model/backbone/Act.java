package io.aepstreams.model.backbone;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.LambdaBlock;
import io.aepstreams.model.TorchScalar;

/** The activations the backbones use, as blocks without parameters. */
public enum Act {
  NONE,
  RELU,
  /** x * relu6(x + 3) / 6 (MobileNetV3). */
  HARDSWISH;

  /** The activation as a block; null for NONE. */
  public Block block() {
    return switch (this) {
      case NONE -> null;
      case RELU -> Activation.reluBlock();
      case HARDSWISH -> new LambdaBlock(list -> new NDList(hardSwish(list.singletonOrThrow())), "hardswish");
    };
  }

  public static NDArray hardSwish(NDArray x) {
    return x.mul(hardSigmoid(x));
  }

  /** relu6(x + 3) / 6. The divisor is a {@link TorchScalar}: autograd keeps it for the backward pass. */
  public static NDArray hardSigmoid(NDArray x) {
    return TorchScalar.times(x.add(3f).clip(0f, 6f), 1.0 / 6);
  }
}
