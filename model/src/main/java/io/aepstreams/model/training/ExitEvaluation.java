package io.aepstreams.model.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import io.aepstreams.model.backbone.AepNetwork;
import io.aepstreams.model.data.ImageSet;
import io.aepstreams.model.data.InputSpec;
import io.aepstreams.model.prune.ExitLogits;

/** Runs a network over an image set in inference mode and keeps every exit's raw logits. */
public final class ExitEvaluation {
  static final int BATCH = 256;

  private ExitEvaluation() {}

  public static ExitLogits logits(AepNetwork network, InputSpec input, ImageSet images, NDManager manager) {
    int exits = network.exits().size();
    float[][][] logits = new float[images.size()][exits][];
    int[] order = new int[images.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    for (int from = 0; from < images.size(); from += BATCH) {
      int to = Math.min(images.size(), from + BATCH);
      // One sub-manager per batch, closed after it: the parent manager would otherwise keep every batch alive.
      try (NDManager batch = manager.newSubManager()) {
        NDArray x = input.batch(batch, images, order, from, to);
        NDList out = network.forward(new ParameterStore(batch, false), new NDList(x), false);
        for (int e = 0; e < exits; e++) {
          float[] flat = out.get(e).toFloatArray();
          int classes = flat.length / (to - from);
          for (int i = from; i < to; i++) {
            float[] row = new float[classes];
            System.arraycopy(flat, (i - from) * classes, row, 0, classes);
            logits[i][e] = row;
          }
        }
      }
    }
    return new ExitLogits(network.exits(), logits, images.labels().clone());
  }
}
