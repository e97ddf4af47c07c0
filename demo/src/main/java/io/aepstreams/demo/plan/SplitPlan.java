package io.aepstreams.demo.plan;

import io.aepstreams.model.bundle.Manifest;
import io.aepstreams.streams.handoff.HandoffEncoding;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where to split a model between an edge instance and a deep one, and how to encode what crosses: every split point
 * with every encoding, costed from the measured stage times, the share of images reaching each stage, and the
 * measured hand-off bytes, under a link of a given bandwidth and a deep side of a given speed relative to the edge.
 *
 * <p>Per image entering the pipeline (so a stage that only some images reach costs its share):
 * <ul>
 *   <li>edge work: the stages before the split at the batch size in use, plus encoding the hand-offs and
 *       compressing them into record batches;
 *   <li>bytes crossing: the hand-off record on the wire (compressed as set), times the share that goes on;
 *   <li>deep compute: the stages after the split at the batch size in use, divided by the deep side's speed-up;
 *   <li>end to end: one image on its own (batch 1), edge stages, then for the share that goes on: encode, the
 *       broker hop, the bytes over the link, decode, and the deep stages; no queueing.
 * </ul>
 */
public final class SplitPlan {
  /** The link and the deep side the plan is for. */
  public record Link(double megabitsPerSecond, double deepSpeedup, double hopMillis, String compression) {
    double transferMillis(double bytes) {
      return bytes * 8 / (megabitsPerSecond * 1e6) * 1e3;
    }
  }

  /** One stage: its cost, the share of images that reach it, and its measured times. */
  public record StageRow(int stage, long params, long macs, double reach, double exitShare,
      double batchOneMillis, double batchedMillisPerImage) {}

  /**
   * A candidate: the edge runs stages 1..{@code split} (0: nothing, the image itself crosses; the last stage:
   * everything, nothing crosses) and hands the rest on in {@code encoding}. {@code keeps}: the encoding keeps the
   * decisions (or was not measured: {@code agreement} is NaN).
   */
  public record Candidate(int split, String encoding, double edgeMillis, double bytesPerImage, double recordBytes,
      double deepMillis, long deepMacs, double endToEndMillis, double agreement, double accuracyDeltaPoints,
      boolean keeps) {}

  public record Plan(List<StageRow> stages, Link link, List<Candidate> candidates, long rawImageBytes,
      String reachSource) {
    /** The split points strictly inside the model, whose encoding keeps the decisions, ranked by {@code order}. */
    public List<Candidate> ranked(Comparator<Candidate> order) {
      int last = stages.get(stages.size() - 1).stage();
      return candidates.stream().filter(c -> c.split() > 0 && c.split() < last && c.keeps()).sorted(order).toList();
    }

    public Candidate allEdge() {
      int last = stages.get(stages.size() - 1).stage();
      return candidates.stream().filter(c -> c.split() == last).findFirst().orElseThrow();
    }

    public Candidate allDeep() {
      return candidates.stream().filter(c -> c.split() == 0).findFirst().orElseThrow();
    }

    /** The planner's choice: the fastest end to end among the splits that keep the decisions. */
    public Candidate chosen() {
      return ranked(BY_END_TO_END).stream().findFirst().orElse(allEdge());
    }
  }

  public static final Comparator<Candidate> BY_EDGE = Comparator.comparingDouble(Candidate::edgeMillis)
      .thenComparingDouble(Candidate::bytesPerImage);
  public static final Comparator<Candidate> BY_BYTES = Comparator.comparingDouble(Candidate::bytesPerImage)
      .thenComparingDouble(Candidate::endToEndMillis);
  public static final Comparator<Candidate> BY_END_TO_END = Comparator.comparingDouble(Candidate::endToEndMillis)
      .thenComparingDouble(Candidate::bytesPerImage);

  private SplitPlan() {}

  /**
   * The share of images reaching each stage, from the exit shares that calibration measured on validation (in the
   * bundle's metrics), or from {@code measured} where the bundle has none.
   */
  @SuppressWarnings("unchecked")
  public static Map<Integer, Double> calibratedExitShares(Manifest manifest) {
    Object calibration = manifest.metrics().get("calibration");
    if (calibration instanceof Map<?, ?> c && c.get("validation") instanceof Map<?, ?> v
        && v.get("exitShares") instanceof Map<?, ?> shares) {
      Map<Integer, Double> out = new TreeMap<>();
      ((Map<Object, Object>) shares).forEach((stage, share) -> out.put(Integer.parseInt(String.valueOf(stage)),
          ((Number) share).doubleValue()));
      return out;
    }
    return null;
  }

  public static Plan plan(Manifest manifest, Map<Integer, Double> exitShares, String reachSource,
      List<StageTimes.Row> times, HandoffTrial.Result trial, long rawImageBytes, Link link) {
    List<StageRow> stages = new ArrayList<>();
    double left = 0;
    for (Manifest.Stage stage : manifest.stages()) {
      Manifest.Exit exit = manifest.exit(stage.stage());
      StageTimes.Row time = times.stream().filter(t -> t.stage() == stage.stage()).findFirst().orElseThrow();
      double share = exitShares.getOrDefault(stage.stage(), 0.0);
      stages.add(new StageRow(stage.stage(), stage.params() + (exit == null ? 0 : exit.params()),
          stage.macs() + (exit == null ? 0 : exit.macs()), Math.max(0, 1 - left), share, time.batchOneMillis(),
          time.batchedMillisPerImage()));
      left += share;
    }
    int last = stages.get(stages.size() - 1).stage();
    List<Candidate> candidates = new ArrayList<>();
    candidates.add(candidate(stages, 0, "image", rawImageBytes, rawImageBytes, 0, 0, link, Double.NaN, 0, true));
    for (int split = 1; split < last; split++) {
      double goingOn = stages.get(split).reach();
      for (HandoffEncoding encoding : HandoffEncoding.values()) {
        HandoffTrial.Size size = trial.size(split, encoding);
        HandoffTrial.Agreement agreement = trial.agreement(split, encoding);
        double wire = size.records() == 0 ? 0 : size.wireBytes().get(link.compression());
        // the edge encodes each tensor and its producer compresses the records into batches
        double encode = size.encodeMillis() + size.wireMillis().getOrDefault(link.compression(), 0.0);
        candidates.add(candidate(stages, split, encoding.setting(), goingOn * wire, size.recordBytes(),
            encode, size.decodeMillis(), link, agreement.sameDecisionShare(),
            agreement.accuracyDeltaPoints(), agreement.keepsDecisions()));
      }
    }
    candidates.add(candidate(stages, last, "none", 0, 0, 0, 0, link, Double.NaN, 0, true));
    return new Plan(stages, link, candidates, rawImageBytes, reachSource);
  }

  private static Candidate candidate(List<StageRow> stages, int split, String encoding, double bytesPerImage,
      double recordBytes, double encodeMillis, double decodeMillis, Link link, double agreement, double delta,
      boolean keeps) {
    double edge = 0;
    double deep = 0;
    long deepMacs = 0;
    double endToEnd = 0;
    for (StageRow s : stages) {
      if (s.stage() <= split) {
        edge += s.reach() * s.batchedMillisPerImage();
        endToEnd += s.reach() * s.batchOneMillis();
      } else {
        deep += s.reach() * s.batchedMillisPerImage() / link.deepSpeedup();
        deepMacs += Math.round(s.reach() * s.macs());
        endToEnd += s.reach() * s.batchOneMillis() / link.deepSpeedup();
      }
    }
    int last = stages.get(stages.size() - 1).stage();
    if (split < last) {
      double goingOn = split == 0 ? 1 : stages.get(split).reach();
      edge += goingOn * encodeMillis;
      deep += goingOn * decodeMillis;
      endToEnd += goingOn * (encodeMillis + decodeMillis + link.hopMillis()) + link.transferMillis(bytesPerImage);
    }
    return new Candidate(split, encoding, edge, bytesPerImage, recordBytes, deep, deepMacs, endToEnd, agreement,
        delta, keeps);
  }
}
