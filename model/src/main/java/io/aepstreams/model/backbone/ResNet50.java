package io.aepstreams.model.backbone;

import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import java.util.ArrayList;
import java.util.List;

/**
 * torchvision's ResNet-50 (v1.5 bottlenecks) split after layer1..layer4 (256/512/1024/2048 channels); the stem
 * (7x7 conv, BN, ReLU, 3x3 max-pool) belongs to stage 1. Exits are GAP -> Linear, like its classifier.
 */
final class ResNet50 {
  private ResNet50() {}

  static StagedNetwork build(BackboneSpec spec) {
    int[] blocks = {3, 4, 6, 3};
    int[] widths = {64, 128, 256, 512};
    List<Block> stages = new ArrayList<>();
    List<Block> heads = new ArrayList<>();
    List<Integer> channels = new ArrayList<>();
    int in = spec.scale(64);
    for (int s = 0; s < 4; s++) {
      SequentialBlock stage = new SequentialBlock();
      if (s == 0) {
        stage.add(ConvBnAct.of(in, 7, 2, 1, Act.RELU))
            .add(MaxPool.of(3, 2, 1));
      }
      int width = spec.scale(widths[s]);
      for (int b = 0; b < blocks[s]; b++) {
        stage.add(Residual.bottleneck(in, width, b == 0 && s > 0 ? 2 : 1));
        in = width * 4;
      }
      stages.add(stage);
      heads.add(ExitHeads.gapLinear(spec.classes()));
      channels.add(in);
    }
    return new StagedNetwork(stages, heads, channels);
  }
}
