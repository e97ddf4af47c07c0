package io.aepstreams.model.backbone;

import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import java.util.ArrayList;
import java.util.List;

/**
 * torchvision's MobileNetV3-Small split as the paper does: features[0:4], [4:7], [7:9], [9:12] (24/40/48/96
 * channels; the stem conv belongs to stage 1). features[12] (the 1x1 conv to 576) and the classifier form the last
 * head; the other heads are the same shape rescaled (see {@link ExitHeads#mobileNetV3}).
 */
final class MobileNetV3Small {
  private MobileNetV3Small() {}

  /** in, kernel, expanded, out, squeeze-excite (1/0), hardswish (1/0), stride: torchvision's table. */
  private static final int[][] BLOCKS = {
      {16, 3, 16, 16, 1, 0, 2},
      {16, 3, 72, 24, 0, 0, 2},
      {24, 3, 88, 24, 0, 0, 1},
      {24, 5, 96, 40, 1, 1, 2},
      {40, 5, 240, 40, 1, 1, 1},
      {40, 5, 240, 40, 1, 1, 1},
      {40, 5, 120, 48, 1, 1, 1},
      {48, 5, 144, 48, 1, 1, 1},
      {48, 5, 288, 96, 1, 1, 2},
      {96, 5, 576, 96, 1, 1, 1},
      {96, 5, 576, 96, 1, 1, 1}};
  /** Index into BLOCKS after which each stage ends. */
  private static final int[] STAGE_ENDS = {3, 6, 8, 11};

  static StagedNetwork build(BackboneSpec spec) {
    List<Block> stages = new ArrayList<>();
    List<Block> heads = new ArrayList<>();
    List<Integer> channels = new ArrayList<>();
    SequentialBlock stage = new SequentialBlock()
        .add(MobileNetBlocks.convBnAct(width(spec, 16), 3, 2, 1, Act.HARDSWISH));
    int next = 0;
    for (int s = 0; s < STAGE_ENDS.length; s++) {
      int out = 0;
      for (; next < STAGE_ENDS[s]; next++) {
        int[] b = BLOCKS[next];
        out = width(spec, b[3]);
        stage.add(MobileNetBlocks.invertedResidual(width(spec, b[0]), b[1], width(spec, b[2]), out, b[4] == 1,
            b[5] == 1 ? Act.HARDSWISH : Act.RELU, b[6]));
      }
      stages.add(stage);
      heads.add(ExitHeads.mobileNetV3(out, spec.classes()));
      channels.add(out);
      stage = new SequentialBlock();
    }
    return new StagedNetwork(stages, heads, channels);
  }

  private static int width(BackboneSpec spec, int channels) {
    return MobileNetBlocks.divisible(channels * spec.widthMultiplier());
  }
}
