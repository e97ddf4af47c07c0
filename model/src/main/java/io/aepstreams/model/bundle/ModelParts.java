package io.aepstreams.model.bundle;

import ai.djl.ndarray.NDManager;
import io.aepstreams.model.backbone.AepNetwork;
import io.aepstreams.model.backbone.BackboneSpec;
import io.aepstreams.model.backbone.StagedNetwork;
import io.aepstreams.model.data.InputSpec;
import io.aepstreams.model.ensemble.ExitWeights;
import java.util.List;

/**
 * A network with trained parameters and what describes it, whether fresh from training or loaded from a bundle:
 * what pruning, calibration, evaluation and export work on. {@code weights} has one entry per exit of
 * {@code network}; {@code manager} holds the parameters.
 */
public record ModelParts(BackboneSpec backbone, StagedNetwork blocks, AepNetwork network, ExitWeights weights,
    InputSpec input, List<String> classNames, NDManager manager) {}
