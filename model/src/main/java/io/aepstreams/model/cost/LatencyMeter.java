package io.aepstreams.model.cost;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.aepstreams.model.backbone.AepNetwork;
import java.util.ArrayList;
import java.util.List;

/**
 * Latency the paper's way: batch 1, {@code warmups} passes first, then the mean of {@code passes} passes. Each
 * stage is timed with its kept exit head, so the per-stage figures add up to the whole network's.
 */
public final class LatencyMeter {
  /** The paper's setting: 100 warm-ups, mean of 1,000 passes. */
  public static final int PAPER_WARMUPS = 100;
  public static final int PAPER_PASSES = 1000;

  private LatencyMeter() {}

  /** Mean milliseconds per stage (stage and its head), in stage order; the network must be initialised. */
  public static List<Double> perStage(AepNetwork network, Shape imageShape, int warmups, int passes,
      NDManager manager) {
    return interleaved(List.of(network), imageShape, warmups, passes, manager).get(0);
  }

  /**
   * Like {@link #perStage} for several networks at once, alternating between them pass by pass, so that a machine
   * that speeds up or slows down during the measurement (warming caches, a neighbour's load) biases none of them.
   */
  public static List<List<Double>> interleaved(List<AepNetwork> networks, Shape imageShape, int warmups,
      int passes, NDManager manager) {
    double[][] nanos = new double[networks.size()][];
    for (int n = 0; n < networks.size(); n++) {
      nanos[n] = new double[networks.get(n).depth()];
    }
    try (NDManager scope = manager.newSubManager()) {
      NDArray image = scope.randomNormal(new Shape(1).addAll(imageShape));
      for (int pass = 0; pass < warmups + passes; pass++) {
        for (int n = 0; n < networks.size(); n++) {
          pass(networks.get(n), image, scope, pass >= warmups ? nanos[n] : null);
        }
      }
    }
    List<List<Double>> millis = new ArrayList<>();
    for (double[] perStage : nanos) {
      List<Double> ms = new ArrayList<>();
      for (double total : perStage) {
        ms.add(total / passes / 1e6);
      }
      millis.add(ms);
    }
    return millis;
  }

  /** One batch-1 pass, adding each stage's time (with its head) to {@code nanos} unless it is null (warm-up). */
  private static void pass(AepNetwork network, NDArray image, NDManager scope, double[] nanos) {
    try (NDManager batch = scope.newSubManager()) {
      ParameterStore store = new ParameterStore(batch, false);
      NDList current = new NDList(image);
      for (int s = 1; s <= network.depth(); s++) {
        long start = System.nanoTime();
        current = network.stage(s).forward(store, current, false);
        if (network.exits().contains(s)) {
          // reading the logits waits for them, as a caller would
          network.head(s).forward(store, current, false).singletonOrThrow().toFloatArray();
        }
        if (nanos != null) {
          nanos[s - 1] += System.nanoTime() - start;
        }
      }
    }
  }
}
