package io.aepstreams.model.ensemble;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.loss.Loss;
import io.aepstreams.model.TorchScalar;
import java.util.List;

/**
 * {@code L = sum_i a_i * CE(O_i, y)}, the mean over the batch, with the network's exits' logits as predictions.
 * The ensemble output itself is not in the loss (docs/design.md §1).
 */
public final class EnsembleLoss extends Loss {
  private final List<Double> a;

  public EnsembleLoss(List<Double> a) {
    super("EnsembleLoss");
    this.a = List.copyOf(a);
  }

  @Override
  public NDArray evaluate(NDList labels, NDList predictions) {
    if (predictions.size() != a.size()) {
      throw new IllegalArgumentException(predictions.size() + " exit outputs for " + a.size() + " loss weights");
    }
    NDArray label = labels.singletonOrThrow();
    NDArray total = null;
    for (int i = 0; i < a.size(); i++) {
      NDArray term = TorchScalar.times(crossEntropy(predictions.get(i), label), a.get(i));
      total = total == null ? term : total.add(term);
    }
    return total;
  }

  /**
   * Mean cross-entropy of raw logits against integer class labels. The label's log-probability is picked with a
   * one-hot mask rather than a gather: the gather's backward pass (a scatter-add) sums in thread order, which made
   * same-seed runs differ.
   */
  public static NDArray crossEntropy(NDArray logits, NDArray labels) {
    NDArray logProbabilities = logits.logSoftmax(-1);
    NDArray oneHot = labels.toType(ai.djl.ndarray.types.DataType.INT64, false)
        .oneHot((int) logits.getShape().get(logits.getShape().dimension() - 1));
    return logProbabilities.mul(oneHot).sum(new int[] {-1}).mean().neg();
  }
}
