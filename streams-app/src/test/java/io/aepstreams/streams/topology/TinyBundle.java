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
 * with an exit-1 threshold at the median confidence of {@link #IMAGES}, so about half of them leave at stage 1.
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
    try (TrainedModel model = AepTraining.train(new BackboneSpec("vgg-mini", 1, 8, 8, 2, 0.25),
        ExitWeights.of(WeightScheme.MIX, 4), TinyData.images(96, 1), TinyData.images(32, 2),
        new TrainingOptions(1, 32, 2e-3f, 10, 420), TrainingListener.NONE)) {
      ExitLogits logits = ExitEvaluation.logits(model.network(), model.input(), IMAGES, model.model().getNDManager());
      double b1 = model.weights().b().get(0);
      double[] confidence = new double[IMAGES.size()];
      for (int i = 0; i < confidence.length; i++) {
        float[] scores = logits.logits()[i][0].clone();
        for (int c = 0; c < scores.length; c++) {
          scores[c] = (float) (b1 * scores[c]);
        }
        confidence[i] = Confidence.MAX_SOFTMAX.of(scores, b1);
      }
      double[] sorted = confidence.clone();
      Arrays.sort(sorted);
      double threshold = sorted[sorted.length / 2];
      Manifest manifest = BundleExport.write(dir, "tiny", model.parts(), new ExitSubset(List.of(1, 2, 3, 4)),
          new ExitPolicy(Confidence.MAX_SOFTMAX, Map.of(1, threshold)), Map.of());
      return new TinyBundle(dir, manifest, confidence, threshold);
    }
  }

  public ModelBundle open() {
    return ModelBundle.open(dir);
  }
}
