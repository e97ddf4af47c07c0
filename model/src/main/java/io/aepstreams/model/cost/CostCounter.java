package io.aepstreams.model.cost;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Convolution;
import ai.djl.nn.core.Linear;

/**
 * Counts a block's cost from its layer shapes. Parameters: every trainable parameter (BatchNorm's running
 * statistics are buffers, not parameters, as in PyTorch). MACs for one image: convolutions
 * (output elements x input channels per group x kernel area) and linear layers (output elements x input
 * features); normalisation, activations, pooling and element-wise ops are not counted, the convention behind
 * torchvision's published operation counts.
 */
public final class CostCounter {
  private CostCounter() {}

  /** Cost of an initialised block for an input of {@code inputShape} (batch dimension included, any size). */
  public static Cost of(Block block, Shape inputShape) {
    return new Cost(params(block), macs(block, new Shape[] {inputShape}) / inputShape.get(0));
  }

  /** Trainable parameters of an initialised block. */
  public static long params(Block block) {
    long total = 0;
    for (Parameter parameter : block.getParameters().values()) {
      if (parameter.requiresGradient()) {
        total += parameter.getArray().getShape().size();
      }
    }
    return total;
  }

  private static long macs(Block block, Shape[] inputs) {
    if (block instanceof SequentialBlock) {
      long total = 0;
      Shape[] current = inputs;
      for (Block child : block.getChildren().values()) {
        total += macs(child, current);
        current = child.getOutputShapes(current);
      }
      return total;
    }
    if (block instanceof ParallelBlock) {
      long total = 0;
      for (Block child : block.getChildren().values()) {
        total += macs(child, inputs);
      }
      return total;
    }
    if (block instanceof Convolution conv) {
      Shape out = block.getOutputShapes(inputs)[0];
      long inPerGroup = inputs[0].get(1) / conv.getGroups();
      return out.size() * inPerGroup * conv.getKernelShape().size();
    }
    if (block instanceof Linear) {
      Shape out = block.getOutputShapes(inputs)[0];
      return out.size() * inputs[0].get(inputs[0].dimension() - 1);
    }
    if (!block.getChildren().isEmpty()) {
      throw new IllegalArgumentException("cannot count MACs through " + block.getClass().getSimpleName()
          + ": compose networks from SequentialBlock and ParallelBlock");
    }
    return 0; // BatchNorm, activations, pooling, dropout, lambdas
  }
}
