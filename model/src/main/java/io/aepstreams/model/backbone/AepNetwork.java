package io.aepstreams.model.backbone;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;

/**
 * A staged backbone with exit heads on the kept exits, as one block: the forward pass runs the stages up to the
 * deepest kept exit and returns the raw logits of every kept exit, shallowest first. The training loss and the
 * ensemble both work on that list.
 */
public final class AepNetwork extends AbstractBlock {
  private final List<Block> stages = new ArrayList<>();
  private final List<Block> heads = new ArrayList<>();
  private final List<Integer> exits;

  /**
   * @param network the backbone's blocks
   * @param exits 1-based stage numbers whose heads are kept, ascending; stages past the deepest are dropped
   */
  public AepNetwork(StagedNetwork network, List<Integer> exits) {
    if (exits.isEmpty()) {
      throw new IllegalArgumentException("at least one exit");
    }
    for (int i = 0; i < exits.size(); i++) {
      int exit = exits.get(i);
      if (exit < 1 || exit > network.size() || (i > 0 && exit <= exits.get(i - 1))) {
        throw new IllegalArgumentException("exits must be ascending stage numbers in 1.." + network.size()
            + ", got " + exits);
      }
    }
    this.exits = List.copyOf(exits);
    int deepest = exits.get(exits.size() - 1);
    for (int s = 1; s <= deepest; s++) {
      stages.add(addChildBlock("stage" + s, network.stages().get(s - 1)));
      if (exits.contains(s)) {
        heads.add(addChildBlock("exit" + s, network.heads().get(s - 1)));
      }
    }
  }

  /** The kept exits (1-based stage numbers), shallowest first. */
  public List<Integer> exits() {
    return exits;
  }

  /** Stage {@code s} (1-based). */
  public Block stage(int s) {
    return stages.get(s - 1);
  }

  /** The head of kept exit {@code s} (1-based stage number). */
  public Block head(int s) {
    int index = exits.indexOf(s);
    if (index < 0) {
      throw new IllegalArgumentException("exit " + s + " is not kept; kept: " + exits);
    }
    return heads.get(index);
  }

  public int depth() {
    return stages.size();
  }

  @Override
  protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
      PairList<String, Object> params) {
    NDList current = inputs;
    NDList logits = new NDList(heads.size());
    int head = 0;
    for (int s = 1; s <= stages.size(); s++) {
      current = stages.get(s - 1).forward(store, current, training);
      if (exits.contains(s)) {
        NDArray out = heads.get(head++).forward(store, current, training).singletonOrThrow();
        logits.add(out);
      }
    }
    return logits;
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape[] current = inputShapes;
    List<Shape> out = new ArrayList<>();
    int head = 0;
    for (int s = 1; s <= stages.size(); s++) {
      current = stages.get(s - 1).getOutputShapes(current);
      if (exits.contains(s)) {
        out.add(heads.get(head++).getOutputShapes(current)[0]);
      }
    }
    return out.toArray(Shape[]::new);
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    Shape[] current = inputShapes;
    int head = 0;
    for (int s = 1; s <= stages.size(); s++) {
      Block stage = stages.get(s - 1);
      stage.initialize(manager, dataType, current);
      current = stage.getOutputShapes(current);
      if (exits.contains(s)) {
        heads.get(head++).initialize(manager, dataType, current);
      }
    }
  }
}
