package io.aepstreams.demo;

import io.aepstreams.model.backbone.BackboneSpec;
import io.aepstreams.model.bundle.BundleException;
import io.aepstreams.model.bundle.BundleExport;
import io.aepstreams.model.bundle.ModelBundle;
import io.aepstreams.model.data.Datasets;
import io.aepstreams.model.data.ImageSet;
import io.aepstreams.model.ensemble.ExitWeights;
import io.aepstreams.model.ensemble.WeightScheme;
import io.aepstreams.model.policy.Confidence;
import io.aepstreams.model.prune.ExitLogits;
import io.aepstreams.model.prune.PruneAndCalibrate;
import io.aepstreams.model.training.AepTraining;
import io.aepstreams.model.training.ConsoleProgress;
import io.aepstreams.model.training.ExitEvaluation;
import io.aepstreams.model.training.TrainedModel;
import io.aepstreams.model.training.TrainingOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The demo's model when none is given: vgg-mini with MIX weights, trained for one epoch on Fashion-MNIST, every
 * exit kept and calibrated (0.5 points) on a validation split, and cached so the next demo starts at once.
 */
public final class QuickModel {
  // One pass over most of the training split: about a minute and a half on two cores, and early exits good enough
  // for the calibration to let most images out before the last stage.
  static final int TRAIN_IMAGES = 48_000;
  static final int VALIDATION_IMAGES = 6_000;
  static final int EPOCHS = 1;

  private QuickModel() {}

  public static Path trainOrReuse(Path cache, Path data) {
    Path dir = cache.resolve("demo-model");
    if (Files.exists(dir.resolve(ModelBundle.MANIFEST))) {
      try {
        ModelBundle.open(dir);
        System.out.println("using the quick model trained earlier: " + dir + " (delete it to train anew)");
        return dir;
      } catch (BundleException stale) {
        System.out.println("the cached quick model is unreadable (" + stale.getMessage() + "): training anew");
      }
    }
    ImageSet all = Datasets.read(data, Datasets.Split.TRAIN, 1, 28, 28).head(TRAIN_IMAGES + VALIDATION_IMAGES);
    List<ImageSet> split = all.split(VALIDATION_IMAGES, 420);
    System.out.printf("no --model given: training a quick vgg-mini (MIX) on %,d Fashion-MNIST images, %d epoch(s); "
        + "./aep trainer compare trains better ones%n", split.get(0).size(), EPOCHS);
    TrainingOptions options = new TrainingOptions(EPOCHS, 64, 1e-3f, 12, 420);
    BackboneSpec spec = new BackboneSpec("vgg-mini", 1, 28, 28, all.classes(), 1.0);
    try (TrainedModel model = AepTraining.train(spec, ExitWeights.of(WeightScheme.MIX, 4), split.get(0),
        split.get(1), options, new ConsoleProgress(System.out, "quick model", EPOCHS))) {
      ExitLogits validation = ExitEvaluation.logits(model.network(), model.input(), split.get(1),
          model.model().getNDManager());
      // Not pruned: after one epoch the best subset is often the last exit alone, and the demo is about early exits.
      PruneAndCalibrate.Result prepared = PruneAndCalibrate.run(model.parts(), validation, Confidence.MAX_SOFTMAX,
          0.5, false);
      BundleExport.write(dir, "vgg-mini-mix-quick", model.parts(), prepared.subset(),
          prepared.calibration().policy(), prepared.calibration().points(), Map.of("training", Map.of("seed", 420, "validationImages",
              VALIDATION_IMAGES, "epochs", EPOCHS)));
      System.out.printf("quick model: exits %s, thresholds %s; saved to %s%n", prepared.subset(),
          prepared.calibration().policy().thresholds(), dir);
    }
    return dir;
  }
}
