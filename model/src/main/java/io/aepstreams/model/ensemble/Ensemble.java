package io.aepstreams.model.ensemble;

/** The AEP ensemble on plain arrays: b-weighted sums of raw logits. */
public final class Ensemble {
  private Ensemble() {}

  /** Adds {@code weight * logits} into {@code sum}. */
  public static void accumulate(float[] sum, float[] logits, double weight) {
    if (sum.length != logits.length) {
      throw new IllegalArgumentException("logits of " + logits.length + " classes, ensemble of " + sum.length);
    }
    for (int c = 0; c < sum.length; c++) {
      sum[c] += (float) (weight * logits[c]);
    }
  }

  /** Index of the largest score; the first one on ties. */
  public static int argmax(float[] scores) {
    int best = 0;
    for (int c = 1; c < scores.length; c++) {
      if (scores[c] > scores[best]) {
        best = c;
      }
    }
    return best;
  }

  /** Softmax of {@code scores / scale} (scale = the sum of b so far, so the partial ensemble is an average). */
  public static float[] softmax(float[] scores, double scale) {
    float[] out = new float[scores.length];
    double max = Double.NEGATIVE_INFINITY;
    for (float s : scores) {
      max = Math.max(max, s / scale);
    }
    double total = 0;
    for (int c = 0; c < scores.length; c++) {
      double e = Math.exp(scores[c] / scale - max);
      out[c] = (float) e;
      total += e;
    }
    for (int c = 0; c < scores.length; c++) {
      out[c] /= (float) total;
    }
    return out;
  }
}
