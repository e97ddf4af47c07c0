package io.aepstreams.model.bundle;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import io.aepstreams.model.backbone.AepNetwork;
import io.aepstreams.model.cost.NetworkCosts;
import io.aepstreams.model.cost.StageCost;
import io.aepstreams.model.policy.ExitPolicy;
import io.aepstreams.model.policy.OperatingPoint;
import io.aepstreams.model.prune.ExitSubset;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Writes a trained model, cut to an exit subset, as a bundle. */
public final class BundleExport {
  private BundleExport() {}

  /** The network of {@code model} cut after the deepest exit of {@code subset}, keeping only its heads. */
  public static AepNetwork pruned(ModelParts model, ExitSubset subset) {
    for (int stage : subset.stages()) {
      if (!model.network().exits().contains(stage)) {
        throw new IllegalArgumentException("exit " + stage + " is not in the model; its exits: "
            + model.network().exits());
      }
    }
    return new AepNetwork(model.blocks(), subset.stages());
  }

  /** Writes {@code model} cut to {@code subset} as a bundle directory; returns the manifest written. */
  public static Manifest write(Path dir, String name, ModelParts model, ExitSubset subset, ExitPolicy policy,
      Map<String, Object> metrics) {
    return write(dir, name, model, subset, policy, List.of(), metrics);
  }

  /** As above, with the calibrated ladder of operating points ({@code policy} should be one of them). */
  public static Manifest write(Path dir, String name, ModelParts model, ExitSubset subset, ExitPolicy policy,
      List<OperatingPoint> points, Map<String, Object> metrics) {
    AepNetwork network = pruned(model, subset);
    List<StageCost> costs = NetworkCosts.of(network, model.input().shape(), model.manager());
    Map<String, Block> files = new LinkedHashMap<>();
    List<Manifest.Stage> stages = new ArrayList<>();
    List<Manifest.Exit> exits = new ArrayList<>();
    for (StageCost cost : costs) {
      String file = "stage-" + cost.stage() + ".params";
      files.put(file, network.stage(cost.stage()));
      stages.add(new Manifest.Stage(cost.stage(), file, dims(cost.inputShape()), dims(cost.outputShape()),
          cost.block().params(), cost.block().macs()));
      if (subset.stages().contains(cost.stage())) {
        String headFile = "exit-" + cost.stage() + ".params";
        files.put(headFile, network.head(cost.stage()));
        int position = model.network().exits().indexOf(cost.stage());
        exits.add(new Manifest.Exit(cost.stage(), headFile, model.weights().a().get(position),
            model.weights().b().get(position), cost.head().params(), cost.head().macs()));
      }
    }
    Manifest manifest = new Manifest(Manifest.FORMAT, name, "", model.classNames(), model.input(), model.backbone(),
        model.weights().scheme(), stages, exits, policy, points, metrics);
    return ModelBundle.write(dir, manifest, files);
  }

  private static List<Long> dims(Shape shape) {
    return Arrays.stream(shape.getShape()).boxed().collect(Collectors.toList());
  }
}
