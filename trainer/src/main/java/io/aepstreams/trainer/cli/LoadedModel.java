package io.aepstreams.trainer.cli;

import ai.djl.ndarray.NDManager;
import io.aepstreams.model.bundle.Manifest;
import io.aepstreams.model.bundle.ModelBundle;
import io.aepstreams.model.bundle.ModelParts;
import io.aepstreams.model.data.ImageSet;
import io.aepstreams.model.prune.ExitLogits;
import io.aepstreams.model.training.ExitEvaluation;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A bundle loaded whole, with the dataset split the way it was trained (the seed and validation size recorded in
 * its manifest), for the commands that evaluate, prune or calibrate it.
 */
final class LoadedModel implements AutoCloseable {
  final ModelBundle bundle;
  final ModelParts parts;
  private final NDManager manager;
  private final DataOptions data;
  private final long seed;

  LoadedModel(Path location, DataOptions data) {
    this.bundle = ModelBundle.open(location);
    this.manager = NDManager.newBaseManager();
    this.parts = bundle.loadNetwork(manager);
    this.data = data;
    data.defaultShape(parts.input().channels(), parts.input().height(), parts.input().width());
    Object training = bundle.manifest().metrics().get("training");
    long recordedSeed = 420;
    if (training instanceof Map<?, ?> map) {
      if (map.get("seed") instanceof Number n) {
        recordedSeed = n.longValue();
      }
      if (map.get("validationImages") instanceof Number n && !data.validationGiven()) {
        data.validation = n.intValue();
      }
    }
    this.seed = recordedSeed;
  }

  Manifest manifest() {
    return bundle.manifest();
  }

  ImageSet validation() {
    List<ImageSet> split = data.trainAndValidation(seed);
    return split.get(1);
  }

  ImageSet test() {
    return data.test();
  }

  ExitLogits logits(ImageSet images) {
    checkFits(images);
    return ExitEvaluation.logits(parts.network(), parts.input(), images, manager);
  }

  private void checkFits(ImageSet images) {
    if (images.channels() != parts.input().channels() || images.height() != parts.input().height()
        || images.width() != parts.input().width()) {
      throw new TrainerCli.UserError("the dataset's images are " + images.channels() + "x" + images.height() + "x"
          + images.width() + " but the model takes " + parts.input().channels() + "x" + parts.input().height() + "x"
          + parts.input().width());
    }
    if (images.classes() != manifest().classNames().size()) {
      throw new TrainerCli.UserError("the dataset has " + images.classes() + " classes but the model knows "
          + manifest().classNames().size());
    }
  }

  /** MACs per image when leaving at each kept exit. */
  long[] macsAtExits() {
    return manifest().exits().stream().mapToLong(e -> manifest().macsUpTo(e.stage())).toArray();
  }

  @Override
  public void close() {
    manager.close();
  }
}
