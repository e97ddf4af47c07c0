package io.aepstreams.model.policy;

import io.aepstreams.model.ensemble.Ensemble;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The ensemble of the exits an image has run so far: the b-weighted sum of their logits, the sum of their b, and
 * which exits they were. Immutable: {@link #after} gives the ensemble one exit later. The stream carries one per
 * image and offline evaluation builds the same one per image, so both decide on the same numbers.
 */
public final class PartialEnsemble {
  /** Before the first exit: no scores yet. */
  public static final PartialEnsemble NONE = new PartialEnsemble(new float[0], 0, List.of());

  private final float[] scores;
  private final double bSum;
  private final List<Integer> exitsRun;

  private PartialEnsemble(float[] scores, double bSum, List<Integer> exitsRun) {
    this.scores = scores;
    this.bSum = bSum;
    this.exitsRun = exitsRun;
  }

  /** An ensemble handed over with its scores; {@code scores} is copied. */
  public static PartialEnsemble of(float[] scores, double bSum, List<Integer> exitsRun) {
    if (exitsRun.isEmpty() != (scores.length == 0)) {
      throw new IllegalArgumentException("scores without exits, or exits without scores");
    }
    return new PartialEnsemble(scores.clone(), bSum, List.copyOf(exitsRun));
  }

  /** This ensemble with exit {@code stage}'s logits added, weighted by its {@code b}. */
  public PartialEnsemble after(int stage, float[] logits, double b) {
    float[] sum = exitsRun.isEmpty() ? new float[logits.length] : scores.clone();
    Ensemble.accumulate(sum, logits, b);
    List<Integer> exits = new ArrayList<>(exitsRun.size() + 1);
    exits.addAll(exitsRun);
    exits.add(stage);
    return new PartialEnsemble(sum, bSum + b, Collections.unmodifiableList(exits));
  }

  public boolean isEmpty() {
    return exitsRun.isEmpty();
  }

  /** A copy of the b-weighted sum of logits (empty before the first exit). */
  public float[] scores() {
    return scores.clone();
  }

  public double bSum() {
    return bSum;
  }

  public List<Integer> exitsRun() {
    return exitsRun;
  }

  /** The exit run last. */
  public int lastExit() {
    if (exitsRun.isEmpty()) {
      throw new IllegalStateException("no exit has run yet");
    }
    return exitsRun.get(exitsRun.size() - 1);
  }

  /** The class the ensemble answers (the first on ties). */
  public int answer() {
    requireScores();
    return Ensemble.argmax(scores);
  }

  /** Softmax of the averaged scores. */
  public float[] probabilities() {
    requireScores();
    return Ensemble.softmax(scores, bSum);
  }

  public double confidence(Confidence measure) {
    requireScores();
    return measure.of(scores, bSum);
  }

  private void requireScores() {
    if (exitsRun.isEmpty()) {
      throw new IllegalStateException("no exit has run yet");
    }
  }
}
