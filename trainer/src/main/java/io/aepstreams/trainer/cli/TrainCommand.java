package io.aepstreams.trainer.cli;

import io.aepstreams.model.bundle.BundleExport;
import io.aepstreams.model.bundle.Manifest;
import io.aepstreams.model.bundle.ModelBundle;
import io.aepstreams.model.data.ImageSet;
import io.aepstreams.model.ensemble.ExitWeights;
import io.aepstreams.model.ensemble.WeightScheme;
import io.aepstreams.model.policy.Confidence;
import io.aepstreams.model.policy.ExitPolicy;
import io.aepstreams.model.prune.ExitSubset;
import io.aepstreams.model.training.AepTraining;
import io.aepstreams.model.training.ConsoleProgress;
import io.aepstreams.model.training.EpochStats;
import io.aepstreams.model.training.TrainedModel;
import io.aepstreams.model.training.TrainingCheckpoint;
import io.aepstreams.model.training.TrainingOptions;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "train", mixinStandardHelpOptions = true,
    description = "Trains an AEP network with an exit after every stage and writes it as a bundle (all exits kept, "
        + "no early exits yet: prune and calibrate it next).")
final class TrainCommand implements Callable<Integer> {
  @Mixin DataOptions data;
  @Mixin TrainingFlags training;

  @Option(names = "--scheme", description = "SINGLE, UNIF, ASC, DESC or MIX (default: ${DEFAULT-VALUE}); "
      + "or give --a and --b.")
  WeightScheme scheme = WeightScheme.MIX;

  @Option(names = "--a", split = ",", description = "Explicit loss weights, one per stage (with --b).")
  List<Double> a;

  @Option(names = "--b", split = ",", description = "Explicit output weights, one per stage (with --a).")
  List<Double> b;

  @Option(names = "--out", required = true, description = "Bundle directory to write.")
  Path out;

  @Option(names = "--zip", description = "Also write the bundle as a .zip beside the directory.")
  boolean zip;

  @Option(names = "--checkpoint", paramLabel = "DIR", description = "Folder for the state after each epoch; run "
      + "the same command again to resume there (default: the --out folder's name + .checkpoint; deleted once the "
      + "bundle is written).")
  Path checkpoint;

  @Override
  public Integer call() {
    TrainingOptions options = training.options();
    List<ImageSet> split = data.trainAndValidation(options.seed());
    ImageSet train = split.get(0);
    ExitWeights weights = weights();
    System.out.printf("training %s (%s) on %d images, validating on %d%n", training.backbone, weights.scheme(),
        train.size(), split.get(1).size());
    TrainingCheckpoint state = new TrainingCheckpoint(checkpoint != null ? checkpoint
        : out.resolveSibling(out.getFileName() + ".checkpoint"));
    try (TrainedModel model = AepTraining.train(training.spec(train), weights, train, split.get(1), options,
        new ConsoleProgress(System.out, weights.scheme().name(), options.maxEpochs()), state)) {
      EpochStats best = model.history().get(model.bestEpoch() - 1);
      Map<String, Object> metrics = new LinkedHashMap<>();
      metrics.put("validationAccuracy", best.ensembleAccuracy());
      metrics.put("validationExitAccuracies", best.exitAccuracies());
      metrics.put("training", Map.of("seed", options.seed(), "validationImages", split.get(1).size(),
          "epochs", model.history().size(), "bestEpoch", model.bestEpoch(),
          "learningRate", options.learningRate(), "batchSize", options.batchSize(), "dataset", data.data.toString()));
      metrics.put("history", model.history());
      String name = model.name();
      Manifest manifest = BundleExport.write(out, name, model.parts(), new ExitSubset(model.network().exits()),
          ExitPolicy.off(Confidence.MAX_SOFTMAX), metrics);
      if (zip) {
        ModelBundle.zip(out, Path.of(out + ".zip"));
      }
      state.delete();
      System.out.printf("wrote %s (version %s): validation ensemble %.2f%% at epoch %d%n", out, manifest.version(),
          best.ensembleAccuracy() * 100, model.bestEpoch());
    }
    return 0;
  }

  private ExitWeights weights() {
    if (a == null && b == null) {
      return ExitWeights.of(scheme, 4);
    }
    if (a == null || b == null || a.size() != 4 || b.size() != 4) {
      throw new TrainerCli.UserError("--a and --b go together, with one weight per stage (4 each)");
    }
    return ExitWeights.custom(a, b);
  }
}
