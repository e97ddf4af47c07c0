package io.aepstreams.model.prune;

import java.util.List;

/**
 * Every exit's raw logits for a set of images: {@code logits[image][exit][class]}, exits in the order of
 * {@link #exits} (1-based stage numbers), with the true labels. What pruning and calibration work on.
 */
public record ExitLogits(List<Integer> exits, float[][][] logits, int[] labels) {
  public ExitLogits {
    if (logits.length != labels.length) {
      throw new IllegalArgumentException(logits.length + " images but " + labels.length + " labels");
    }
    exits = List.copyOf(exits);
  }

  public int images() {
    return labels.length;
  }

  public int classes() {
    return logits.length == 0 ? 0 : logits[0][0].length;
  }

  /** Position (0-based) of stage {@code stage}'s exit in the arrays. */
  public int position(int stage) {
    int p = exits.indexOf(stage);
    if (p < 0) {
      throw new IllegalArgumentException("no logits for exit " + stage + "; have " + exits);
    }
    return p;
  }
}
