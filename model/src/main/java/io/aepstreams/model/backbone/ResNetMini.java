package io.aepstreams.model.backbone;

import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import java.util.ArrayList;
import java.util.List;

/**
 * A small ResNet for small images: a 3x3 stem (no max-pool), then four stages of two basic blocks with widths
 * 16/32/64/128, stages 2-4 halving the resolution; GAP -> Linear exits.
 */
final class ResNetMini {
  private ResNetMini() {}

  static StagedNetwork build(BackboneSpec spec) {
    int[] widths = {16, 32, 64, 128};
    List<Block> stages = new ArrayList<>();
    List<Block> heads = new ArrayList<>();
    List<Integer> channels = new ArrayList<>();
    int in = spec.scale(widths[0]);
    for (int s = 0; s < 4; s++) {
      int c = spec.scale(widths[s]);
      SequentialBlock stage = new SequentialBlock();
      if (s == 0) {
        stage.add(ConvBnAct.of(in, 3, 1, 1, Act.RELU));
      }
      stage.add(Residual.basic(in, c, s == 0 ? 1 : 2)).add(Residual.basic(c, c, 1));
      in = c;
      stages.add(stage);
      heads.add(ExitHeads.gapLinear(spec.classes()));
      channels.add(c);
    }
    return new StagedNetwork(stages, heads, channels);
  }
}
