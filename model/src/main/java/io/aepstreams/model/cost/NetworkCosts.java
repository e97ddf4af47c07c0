package io.aepstreams.model.cost;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import io.aepstreams.model.backbone.AepNetwork;
import io.aepstreams.model.prune.ExitSubset;
import java.util.ArrayList;
import java.util.List;

/** Per-stage and per-head costs of an AEP network, for one image. */
public final class NetworkCosts {
  private NetworkCosts() {}

  /**
   * Costs of every stage of {@code network} (initialising it on {@code manager} if it is not yet) for one image of
   * {@code imageShape} (channels, height, width).
   */
  public static List<StageCost> of(AepNetwork network, Shape imageShape, NDManager manager) {
    Shape input = new Shape(1).addAll(imageShape);
    if (!network.isInitialized()) {
      network.initialize(manager, DataType.FLOAT32, input);
    }
    List<StageCost> costs = new ArrayList<>();
    Shape current = input;
    for (int s = 1; s <= network.depth(); s++) {
      Block stage = network.stage(s);
      Shape out = stage.getOutputShapes(new Shape[] {current})[0];
      Cost head = network.exits().contains(s) ? CostCounter.of(network.head(s), out) : Cost.ZERO;
      costs.add(new StageCost(s, current.slice(1), out.slice(1), CostCounter.of(stage, current), head));
      current = out;
    }
    return costs;
  }

  /** Cost of running the stages up to {@code subset}'s deepest exit and {@code subset}'s heads. */
  public static Cost subset(List<StageCost> costs, ExitSubset subset) {
    Cost total = Cost.ZERO;
    for (StageCost cost : costs) {
      if (cost.stage() <= subset.deepest()) {
        total = total.plus(cost.block());
        if (subset.stages().contains(cost.stage())) {
          total = total.plus(cost.head());
        }
      }
    }
    return total;
  }

  /** MACs per image when leaving at each exit of {@code subset}, shallowest first. */
  public static long[] macsAtExits(List<StageCost> costs, ExitSubset subset) {
    long[] macs = new long[subset.stages().size()];
    for (int j = 0; j < macs.length; j++) {
      macs[j] = subset(costs, new ExitSubset(subset.stages().subList(0, j + 1))).macs();
    }
    return macs;
  }

  /** Everything: all stages and all kept heads. */
  public static Cost total(List<StageCost> costs) {
    return costs.stream().map(StageCost::total).reduce(Cost.ZERO, Cost::plus);
  }
}
