package io.aepstreams.model.backbone;

import ai.djl.ndarray.NDList;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.SequentialBlock;
import java.util.List;

/** MobileNetV3's inverted residual and squeeze-and-excitation blocks, as torchvision defines them. */
public final class MobileNetBlocks {
  /** torchvision's MobileNetV3 BatchNorm: eps 0.001, momentum 0.01 (DJL 0.99). */
  static final float EPS = 1e-3f;
  static final float MOMENTUM = 0.99f;

  private MobileNetBlocks() {}

  /** torchvision's _make_divisible: round to a multiple of 8, never more than 10% down. */
  public static int divisible(double value) {
    int rounded = Math.max(8, (int) (value + 4) / 8 * 8);
    return rounded < 0.9 * value ? rounded + 8 : rounded;
  }

  static SequentialBlock convBnAct(int filters, int kernel, int stride, int groups, Act act) {
    return ConvBnAct.of(filters, kernel, stride, groups, act, EPS, MOMENTUM);
  }

  /** x * hardsigmoid(fc2(relu(fc1(avgpool(x))))), the 1x1 convolutions with bias. */
  public static Block squeezeExcite(int channels) {
    int squeeze = divisible(channels / 4.0);
    Block scale = new SequentialBlock()
        .add(new LambdaBlock(list -> new NDList(list.singletonOrThrow().mean(new int[] {3}, true).mean(new int[] {2}, true)), "avgpool"))
        .add(ConvBnAct.conv(squeeze, 1, 1, 1, true))
        .add(Activation.reluBlock())
        .add(ConvBnAct.conv(channels, 1, 1, 1, true))
        .add(new LambdaBlock(list -> new NDList(Act.hardSigmoid(list.singletonOrThrow())), "hardsigmoid"));
    return new ParallelBlock(
        branches -> new NDList(branches.get(0).singletonOrThrow().mul(branches.get(1).singletonOrThrow())),
        List.of(Blocks.identityBlock(), scale));
  }

  /** Expand (1x1) -> depthwise (k x k) -> squeeze-excite -> project (1x1, linear); residual when shapes match. */
  public static Block invertedResidual(int in, int kernel, int expanded, int out, boolean se, Act act, int stride) {
    SequentialBlock main = new SequentialBlock();
    if (expanded != in) {
      main.add(convBnAct(expanded, 1, 1, 1, act));
    }
    main.add(convBnAct(expanded, kernel, stride, expanded, act));
    if (se) {
      main.add(squeezeExcite(expanded));
    }
    main.add(convBnAct(out, 1, 1, 1, Act.NONE));
    return stride == 1 && in == out ? Residual.add(main, null, Act.NONE) : main;
  }

}
