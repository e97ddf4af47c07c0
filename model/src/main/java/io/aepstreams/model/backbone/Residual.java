package io.aepstreams.model.backbone;

import ai.djl.ndarray.NDList;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.SequentialBlock;
import java.util.List;

/** Residual connections: {@code act(main(x) + shortcut(x))}, as DJL's own ResNet composes them. */
public final class Residual {
  private Residual() {}

  /** main + shortcut, then the activation (NONE for MobileNet's linear bottlenecks). */
  public static Block add(Block main, Block shortcut, Act after) {
    ParallelBlock sum = new ParallelBlock(
        branches -> new NDList(branches.get(0).singletonOrThrow().add(branches.get(1).singletonOrThrow())),
        List.of(main, shortcut == null ? Blocks.identityBlock() : shortcut));
    Block activation = after.block();
    return activation == null ? sum : new SequentialBlock().add(sum).add(activation);
  }

  /** ResNet's basic block: two 3x3 convolutions; a 1x1 projection where the shape changes. */
  public static Block basic(int inChannels, int channels, int stride) {
    Block main = new SequentialBlock()
        .add(ConvBnAct.of(channels, 3, stride, 1, Act.RELU))
        .add(ConvBnAct.of(channels, 3, 1, 1, Act.NONE));
    Block shortcut = stride != 1 || inChannels != channels ? ConvBnAct.of(channels, 1, stride, 1, Act.NONE) : null;
    return add(main, shortcut, Act.RELU);
  }

  /** ResNet v1.5's bottleneck (stride on the 3x3 convolution), expansion 4. */
  public static Block bottleneck(int inChannels, int width, int stride) {
    int out = width * 4;
    Block main = new SequentialBlock()
        .add(ConvBnAct.of(width, 1, 1, 1, Act.RELU))
        .add(ConvBnAct.of(width, 3, stride, 1, Act.RELU))
        .add(ConvBnAct.of(out, 1, 1, 1, Act.NONE));
    Block shortcut = stride != 1 || inChannels != out ? ConvBnAct.of(out, 1, stride, 1, Act.NONE) : null;
    return add(main, shortcut, Act.RELU);
  }
}
