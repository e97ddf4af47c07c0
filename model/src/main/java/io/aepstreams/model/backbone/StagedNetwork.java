package io.aepstreams.model.backbone;

import ai.djl.nn.Block;
import java.util.List;

/** A backbone cut into stages, with one exit head per stage; the last head is the original classifier. */
public record StagedNetwork(List<Block> stages, List<Block> heads, List<Integer> stageChannels) {
  public StagedNetwork {
    if (stages.size() != heads.size() || stages.size() != stageChannels.size()) {
      throw new IllegalArgumentException("one head and one width per stage");
    }
    stages = List.copyOf(stages);
    heads = List.copyOf(heads);
    stageChannels = List.copyOf(stageChannels);
  }

  public int size() {
    return stages.size();
  }
}
