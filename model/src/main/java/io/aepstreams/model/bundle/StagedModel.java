package io.aepstreams.model.bundle;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import io.aepstreams.model.TorchEngine;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A contiguous range of a bundle's stages loaded for inference, each with its exit head where one was kept. What a
 * stage processor runs; an instance that serves stages 2-4 loads only those files. Owns its manager.
 */
public final class StagedModel implements AutoCloseable {
  private final Manifest manifest;
  private final NDManager manager;
  private final Map<Integer, Block> stages = new LinkedHashMap<>();
  private final Map<Integer, Block> heads = new LinkedHashMap<>();
  private final int first;
  private final int last;

  /** Loads stages {@code first}..{@code last} (1-based, inclusive) of {@code bundle} on {@code parent}. */
  public StagedModel(ModelBundle bundle, int first, int last, NDManager parent) {
    TorchEngine.start();
    this.manifest = bundle.manifest();
    int deepest = manifest.stages().size();
    if (first < 1 || last > deepest || first > last) {
      throw new BundleException("stage range " + first + "-" + last + " is outside the bundle's stages 1-" + deepest);
    }
    this.first = first;
    this.last = last;
    this.manager = parent.newSubManager();
    for (int s = first; s <= last; s++) {
      stages.put(s, bundle.loadStage(s, manager));
      if (manifest.exit(s) != null) {
        heads.put(s, bundle.loadExit(s, manager));
      }
    }
  }

  /** Loads every stage of {@code bundle}. */
  public static StagedModel all(ModelBundle bundle, NDManager parent) {
    return new StagedModel(bundle, 1, bundle.manifest().stages().size(), parent);
  }

  public Manifest manifest() {
    return manifest;
  }

  public int first() {
    return first;
  }

  public int last() {
    return last;
  }

  public List<Integer> stageNumbers() {
    return List.copyOf(stages.keySet());
  }

  public boolean hasExit(int stage) {
    return heads.containsKey(stage);
  }

  /** Runs stage {@code stage} on a (batch, ...) input; results live on the input's manager. */
  public NDArray runStage(int stage, NDArray input) {
    Block block = stages.get(stage);
    if (block == null) {
      throw new IllegalArgumentException("stage " + stage + " is not loaded here (" + first + "-" + last + ")");
    }
    return block.forward(new ParameterStore(input.getManager(), false), new NDList(input), false).singletonOrThrow();
  }

  /** The raw logits of the exit after {@code stage} for that stage's output. */
  public NDArray runExit(int stage, NDArray stageOutput) {
    Block head = heads.get(stage);
    if (head == null) {
      throw new IllegalArgumentException("no exit is kept after stage " + stage);
    }
    return head.forward(new ParameterStore(stageOutput.getManager(), false), new NDList(stageOutput), false)
        .singletonOrThrow();
  }

  @Override
  public void close() {
    manager.close();
  }
}
