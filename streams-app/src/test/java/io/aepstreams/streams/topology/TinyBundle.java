package io.aepstreams.streams.topology;

import io.aepstreams.model.backbone.BackboneSpec;
import io.aepstreams.model.bundle.BundleExport;
import io.aepstreams.model.bundle.Manifest;
import io.aepstreams.model.bundle.ModelBundle;
import io.aepstreams.model.data.ImageSet;
import io.aepstreams.model.ensemble.ExitWeights;
import io.aepstreams.model.ensemble.WeightScheme;
import io.aepstreams.model.policy.Confidence;
import io.aepstreams.model.policy.ExitPolicy;
import io.aepstreams.model.policy.OperatingPoint;
import io.aepstreams.model.policy.PartialEnsemble;
import io.aepstreams.model.prune.ExitLogits;
import io.aepstreams.model.prune.ExitSubset;
import io.aepstreams.model.training.AepTraining;
import io.aepstreams.model.training.ExitEvaluation;
import io.aepstreams.model.training.TinyData;
import io.aepstreams.model.training.TrainedModel;
import io.aepstreams.model.training.TrainingListener;
import io.aepstreams.model.training.TrainingOptions;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A small trained bundle for pipeline tests: vgg-mini at a quarter width on 8x8 two-class images, all four exits,
 * with an exit-1 threshold at the median confidence of {@link #IMAGES}, so half of them leave at stage 1.
 */
public final class TinyBundle {
  /** The images the tests stream. */
  public static final ImageSet IMAGES = TinyData.images(24, 9);

  public final Path dir;
  public final Manifest manifest;
  /** Confidence of the partial ensemble after exit 1, per image of {@link #IMAGES}. */
  public final double[] exit1Confidence;
  public final double threshold;

  private TinyBundle(Path dir, Manifest manifest, double[] exit1Confidence, double threshold) {
    this.dir = dir;
    this.manifest = manifest;
    this.exit1Confidence = exit1Confidence;
    this.threshold = threshold;
  }

  public static TinyBundle write(Path dir) {
    return write(dir, false);
  }

  /**
   * As {@link #write(Path)}, with a ladder of three operating points: 0 lets no image out early (budget 0), 1 is
   * the bundle's own policy (half the images leave at stage 1; budget 1), 2 lets every image out at stage 2
   * (budget 3). Their figures are the test images', not a calibration's. Trained longer than {@link #write}'s, so
   * that its exits agree on clean images and an audit can tell clean images from corrupted ones.
   */
  public static TinyBundle writeWithPoints(Path dir) {
    return write(dir, true);
  }

  private static TinyBundle write(Path dir, boolean withPoints) {
    try (TrainedModel model = AepTraining.train(new BackboneSpec("vgg-mini", 1, 8, 8, 2, 0.25),
        ExitWeights.of(WeightScheme.MIX, 4), TinyData.images(withPoints ? 384 : 96, 1), TinyData.images(32, 2),
        new TrainingOptions(withPoints ? 6 : 1, 32, 2e-3f, 10, 420), TrainingListener.NONE)) {
      ExitLogits logits = ExitEvaluation.logits(model.network(), model.input(), IMAGES, model.model().getNDManager());
      double b1 = model.weights().b().get(0);
      double[] confidence = new double[IMAGES.size()];
      for (int i = 0; i < confidence.length; i++) {
        confidence[i] = PartialEnsemble.NONE.after(1, logits.logits()[i][0], b1).confidence(Confidence.MAX_SOFTMAX);
      }
      double[] sorted = confidence.clone();
      Arrays.sort(sorted);
      // Halfway between two images' confidences, so that no image sits on the threshold, where the last bits of a
      // batched or unbatched forward pass could decide its exit.
      double threshold = (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
      ExitPolicy policy = new ExitPolicy(Confidence.MAX_SOFTMAX, Map.of(1, threshold));
      List<OperatingPoint> points = !withPoints ? List.of() : List.of(
          new OperatingPoint(0, 0, Map.of(), 1000, 0, 1, 1, Map.of(1, 0.0, 4, 1.0), Map.of()),
          new OperatingPoint(1, 1, policy.thresholds(), 550, 0.45, 0.99, 1, Map.of(1, 0.5, 4, 0.5), Map.of(1, 0.99)),
          new OperatingPoint(2, 3, Map.of(2, 0.0), 200, 0.8, 0.97, 1, Map.of(2, 1.0), Map.of(2, 0.97)));
      Manifest manifest = BundleExport.write(dir, "tiny", model.parts(), new ExitSubset(List.of(1, 2, 3, 4)),
          policy, points, Map.of());
      return new TinyBundle(dir, manifest, confidence, threshold);
    }
  }

  public ModelBundle open() {
    return ModelBundle.open(dir);
  }
}
