package io.aepstreams.model.training;

import ai.djl.Model;
import io.aepstreams.model.backbone.AepNetwork;
import io.aepstreams.model.backbone.BackboneSpec;
import io.aepstreams.model.backbone.StagedNetwork;
import io.aepstreams.model.bundle.ModelParts;
import io.aepstreams.model.data.InputSpec;
import io.aepstreams.model.ensemble.ExitWeights;
import java.util.List;

/**
 * A trained network and what is needed to prune, calibrate and save it. Owns the DJL model whose manager holds
 * the parameters: close it when done.
 */
public record TrainedModel(
    Model model,
    BackboneSpec backbone,
    StagedNetwork blocks,
    AepNetwork network,
    ExitWeights weights,
    InputSpec input,
    List<String> classNames,
    List<EpochStats> history,
    int bestEpoch) implements AutoCloseable {

  /**
   * What its bundle is called: the backbone's label and the scheme ({@code vgg16-x0.5-mix}), so that a bundle
   * names the width it was trained at.
   */
  public String name() {
    return model.getName();
  }

  /** The parts pruning, calibration and export work on. */
  public ModelParts parts() {
    return new ModelParts(backbone, blocks, network, weights, input, classNames, model.getNDManager());
  }

  @Override
  public void close() {
    model.close();
  }
}
