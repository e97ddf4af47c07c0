package io.aepstreams.streams.topology;

import io.aepstreams.model.ensemble.Ensemble;
import io.aepstreams.records.SourceOffset;
import io.aepstreams.records.StageTiming;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An image on its way through the stages of one instance: the tensor the next stage takes, the partial ensemble
 * so far, and what the result will carry. Passed by reference from processor to processor in one stream thread,
 * never serialised (between instances it travels as a PartialInference).
 */
public final class InFlight {
  final String id;
  final Integer label;
  final Instant sentAt;
  final SourceOffset source;
  final Map<String, String> attributes;
  final byte[] originalKey;
  float[] tensor;
  long[] shape;
  /** sum of b_i * logits_i over the exits run so far; null before the first. */
  float[] scores;
  double bSum;
  final List<Integer> exitsRun;
  final List<StageTiming> timings;
  /** The confidence of the partial ensemble after the last exit run. */
  double confidence;

  InFlight(String id, Integer label, Instant sentAt, SourceOffset source, Map<String, String> attributes,
      byte[] originalKey, float[] tensor, long[] shape, float[] scores, double bSum, List<Integer> exitsRun,
      List<StageTiming> timings) {
    this.id = id;
    this.label = label;
    this.sentAt = sentAt;
    this.source = source;
    this.attributes = attributes;
    this.originalKey = originalKey;
    this.tensor = tensor;
    this.shape = shape;
    this.scores = scores;
    this.bSum = bSum;
    this.exitsRun = new ArrayList<>(exitsRun);
    this.timings = new ArrayList<>(timings);
  }

  /** Adds an exit's logits, weighted by its b, to the partial ensemble. */
  void addExit(int stage, float[] logits, double b) {
    if (scores == null) {
      scores = new float[logits.length];
    }
    Ensemble.accumulate(scores, logits, b);
    bSum += b;
    exitsRun.add(stage);
  }
}
