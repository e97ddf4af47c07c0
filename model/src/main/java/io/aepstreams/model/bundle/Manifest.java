package io.aepstreams.model.bundle;

import io.aepstreams.model.backbone.BackboneSpec;
import io.aepstreams.model.data.InputSpec;
import io.aepstreams.model.ensemble.WeightScheme;
import io.aepstreams.model.policy.ExitPolicy;
import io.aepstreams.model.policy.OperatingPoint;
import java.util.List;
import java.util.Map;

/**
 * A model bundle's {@code manifest.json} (docs/design.md §3): what the model is, what it takes, how to rebuild and load
 * each kept stage and exit head on its own, how to combine and when to stop, and how well it did.
 *
 * @param format bundle format version, {@link #FORMAT}
 * @param version content hash of the manifest (without this field) and every parameter file
 * @param stages kept stages 1..deepest exit, in order
 * @param exits kept exit heads, in order, each with its weights a and b (b not renormalised)
 * @param policy the exit policy an instance starts with: one of the operating points, where the bundle has them
 * @param operatingPoints the calibrated accuracy/compute ladder, smallest budget first; empty in bundles made before
 *     there were points
 * @param metrics validation and test figures, free-form
 */
public record Manifest(
    int format,
    String name,
    String version,
    List<String> classNames,
    InputSpec input,
    BackboneSpec backbone,
    WeightScheme scheme,
    List<Stage> stages,
    List<Exit> exits,
    ExitPolicy policy,
    List<OperatingPoint> operatingPoints,
    Map<String, Object> metrics) {

  public static final int FORMAT = 1;

  /** One kept stage: its parameter file, the tensor shapes around it (no batch dimension) and its cost. */
  public record Stage(int stage, String file, List<Long> inputShape, List<Long> outputShape, long params,
      long macs) {}

  /** One kept exit head, after stage {@code stage}. */
  public record Exit(int stage, String file, double a, double b, long params, long macs) {}

  public Manifest {
    classNames = List.copyOf(classNames);
    stages = List.copyOf(stages);
    exits = List.copyOf(exits);
    operatingPoints = operatingPoints == null ? List.of() : List.copyOf(operatingPoints);
    metrics = metrics == null ? Map.of() : metrics;
  }

  public Manifest withVersion(String newVersion) {
    return new Manifest(format, name, newVersion, classNames, input, backbone, scheme,
        stages, exits, policy, operatingPoints, metrics);
  }

  public Manifest withPolicy(ExitPolicy newPolicy) {
    return new Manifest(format, name, version, classNames, input, backbone, scheme,
        stages, exits, newPolicy, operatingPoints, metrics);
  }

  /** This manifest with a new ladder of operating points, and the policy of point {@code inForce} of it. */
  public Manifest withPoints(List<OperatingPoint> points, int inForce) {
    return new Manifest(format, name, version, classNames, input, backbone, scheme, stages, exits,
        points.get(inForce).policy(policy.confidence()), points, metrics);
  }

  /**
   * The operating point whose thresholds the bundle's policy has: where an instance starts. Empty for a bundle
   * without points, or one whose policy was set by hand.
   */
  public java.util.Optional<OperatingPoint> defaultPoint() {
    return operatingPoints.stream().filter(p -> p.hasThresholds(policy)).findFirst();
  }

  public Manifest withMetrics(Map<String, Object> newMetrics) {
    return new Manifest(format, name, version, classNames, input, backbone, scheme,
        stages, exits, policy, operatingPoints, newMetrics);
  }

  /** The kept exits' stage numbers, shallowest first. */
  public List<Integer> exitStages() {
    return exits.stream().map(Exit::stage).toList();
  }

  public Stage stage(int stage) {
    return stages.stream().filter(s -> s.stage() == stage).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("the bundle has no stage " + stage + "; it has 1.."
            + stages.size()));
  }

  /** The exit head after {@code stage}, or null if that exit was pruned. */
  public Exit exit(int stage) {
    return exits.stream().filter(e -> e.stage() == stage).findFirst().orElse(null);
  }

  /** MACs per image when the image leaves after stage {@code stage}: stages up to it and the kept heads run. */
  public long macsUpTo(int stage) {
    long macs = 0;
    for (Stage s : stages) {
      if (s.stage() <= stage) {
        macs += s.macs();
      }
    }
    for (Exit e : exits) {
      if (e.stage() <= stage) {
        macs += e.macs();
      }
    }
    return macs;
  }

  public long totalParams() {
    return stages.stream().mapToLong(Stage::params).sum() + exits.stream().mapToLong(Exit::params).sum();
  }
}
