package io.aepstreams.model.prune;

import io.aepstreams.model.bundle.ModelParts;
import io.aepstreams.model.cost.NetworkCosts;
import io.aepstreams.model.cost.StageCost;
import io.aepstreams.model.policy.AnytimeEnsemble;
import io.aepstreams.model.policy.Confidence;
import io.aepstreams.model.policy.OperatingPoint;
import io.aepstreams.model.policy.ThresholdCalibration;
import java.util.List;

/**
 * From a trained network to a deployable one, on the validation split only: the paper's subset search picks the
 * exits to keep, then the exit thresholds are calibrated for the cheapest compute within an accuracy budget.
 */
public final class PruneAndCalibrate {
  private PruneAndCalibrate() {}

  /**
   * @param scores every subset's validation score, best first
   * @param costs the trained network's per-stage costs
   * @param macsAt MACs per image when leaving at each kept exit
   */
  public record Result(List<SubsetScore> scores, List<StageCost> costs, ExitSubset subset, long[] macsAt,
      ThresholdCalibration.Result calibration) {}

  public static Result run(ModelParts model, ExitLogits validation, Confidence confidence,
      double maxAccuracyDropPoints) {
    return run(model, validation, confidence, maxAccuracyDropPoints, true);
  }

  /**
   * With {@code prune} false every exit is kept and only the thresholds are calibrated: each exit may still let
   * confident images out, which the best subset (often just the deepest exits of a briefly trained network) may not.
   */
  public static Result run(ModelParts model, ExitLogits validation, Confidence confidence,
      double maxAccuracyDropPoints, boolean prune) {
    List<SubsetScore> scores = SubsetSearch.scoreAll(validation, model.weights());
    ExitSubset subset = prune ? scores.get(0).subset() : new ExitSubset(validation.exits());
    List<StageCost> costs = NetworkCosts.of(model.network(), model.input().shape(), model.manager());
    long[] macsAt = NetworkCosts.macsAtExits(costs, subset);
    AnytimeEnsemble anytime = new AnytimeEnsemble(validation, model.weights(), subset, confidence, macsAt);
    return new Result(scores, costs, subset, macsAt,
        ThresholdCalibration.calibrate(anytime, confidence, maxAccuracyDropPoints, OperatingPoint.DEFAULT_BUDGETS));
  }
}
