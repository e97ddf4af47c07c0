package io.aepstreams.model.backbone;

import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import java.util.ArrayList;
import java.util.List;

/**
 * torchvision's VGG16 (configuration D, conv with bias, no BatchNorm) split as the paper does: features[0:10],
 * [10:17], [17:24], [24:] (128/256/512/512 channels). The FC classifier is replaced by GAP -> Linear, as in the
 * paper, baseline included.
 */
final class Vgg16 {
  private Vgg16() {}

  /** Channels per conv, 0 for a max-pool, grouped by stage. */
  private static final int[][] STAGES = {
      {64, 64, 0, 128, 128, 0},
      {256, 256, 256, 0},
      {512, 512, 512, 0},
      {512, 512, 512, 0}};

  static StagedNetwork build(BackboneSpec spec) {
    List<Block> stages = new ArrayList<>();
    List<Block> heads = new ArrayList<>();
    List<Integer> channels = new ArrayList<>();
    for (int[] layers : STAGES) {
      SequentialBlock stage = new SequentialBlock();
      int c = 0;
      for (int layer : layers) {
        if (layer == 0) {
          stage.add(MaxPool.of(2));
        } else {
          c = spec.scale(layer);
          stage.add(ConvBnAct.conv(c, 3, 1, 1, true)).add(Activation.reluBlock());
        }
      }
      stages.add(stage);
      heads.add(ExitHeads.gapLinear(spec.classes()));
      channels.add(c);
    }
    return new StagedNetwork(stages, heads, channels);
  }
}
