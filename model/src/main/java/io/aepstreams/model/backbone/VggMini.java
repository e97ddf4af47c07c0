package io.aepstreams.model.backbone;

import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import java.util.ArrayList;
import java.util.List;

/**
 * The CPU reference network: stages 1-3 are [conv 3x3 (no bias) -> BN -> ReLU] x2 -> max-pool 2x2, stage 4 is one
 * such conv; widths 32/64/128/256; every exit is GAP -> Linear.
 */
final class VggMini {
  private VggMini() {}

  static StagedNetwork build(BackboneSpec spec) {
    int[] widths = {32, 64, 128, 256};
    List<Block> stages = new ArrayList<>();
    List<Block> heads = new ArrayList<>();
    List<Integer> channels = new ArrayList<>();
    for (int s = 0; s < 4; s++) {
      int c = spec.scale(widths[s]);
      SequentialBlock stage = new SequentialBlock().add(ConvBnAct.of(c, 3, 1, 1, Act.RELU));
      if (s < 3) {
        stage.add(ConvBnAct.of(c, 3, 1, 1, Act.RELU)).add(MaxPool.of(2));
      }
      stages.add(stage);
      heads.add(ExitHeads.gapLinear(spec.classes()));
      channels.add(c);
    }
    return new StagedNetwork(stages, heads, channels);
  }
}
