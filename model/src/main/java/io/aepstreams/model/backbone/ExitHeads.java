package io.aepstreams.model.backbone;

import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.pooling.Pool;

/**
 * Exit heads copy the network's own classifier with its features rescaled to the stage's width (docs/design.md §1):
 * GAP -> Linear for VGG and ResNet; MobileNetV3's 1x1 conv (6x expansion) -> BN -> hardswish -> GAP -> Linear
 * (hidden) -> hardswish -> dropout -> Linear. The last head is the network's original classifier.
 */
public final class ExitHeads {
  private ExitHeads() {}

  public static Block gapLinear(int classes) {
    return new SequentialBlock()
        .add(Pool.globalAvgPool2dBlock())
        .add(Linear.builder().setUnits(classes).build());
  }

  /** DenseNet's classifier shape: ReLU first. */
  public static Block reluGapLinear(int classes) {
    return new SequentialBlock()
        .add(Activation.reluBlock())
        .add(Pool.globalAvgPool2dBlock())
        .add(Linear.builder().setUnits(classes).build());
  }

  /**
   * MobileNetV3-Small's classifier for a stage of {@code channels}: 96 channels give torchvision's own
   * (576-channel conv, 1024 hidden units); narrower stages scale both by channels / 96.
   */
  public static Block mobileNetV3(int channels, int classes) {
    int hidden = (int) Math.round(1024.0 * channels / 96.0);
    return new SequentialBlock()
        .add(MobileNetBlocks.convBnAct(channels * 6, 1, 1, 1, Act.HARDSWISH))
        .add(Pool.globalAvgPool2dBlock())
        .add(Linear.builder().setUnits(hidden).build())
        .add(Act.HARDSWISH.block())
        .add(Dropout.builder().optRate(0.2f).build())
        .add(Linear.builder().setUnits(classes).build());
  }
}
