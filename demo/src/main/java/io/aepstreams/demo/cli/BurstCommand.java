package io.aepstreams.demo.cli;

import io.aepstreams.demo.bench.BurstBench;
import io.aepstreams.model.bundle.ModelBundle;
import io.aepstreams.model.data.Datasets;
import io.aepstreams.model.data.ImageSet;
import io.aepstreams.streams.config.Batching;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "bench-burst", mixinStandardHelpOptions = true,
    description = {"A burst above capacity through the pipeline (in-JVM broker, exactly-once), the load controller "
        + "off and on, one instance and split: the offered load is --burst-factor times the deployment's "
        + "every-stage capacity (measured first) for --burst-seconds, then --after-factor times it. Reports p99 "
        + "latency and the operating point over time and the accuracy on the burst's images; writes burst.json, "
        + "burst.md and plots to --out.",
        "The model must have operating points (./aep trainer calibrate makes them; the quick model has them)."})
final class BurstCommand implements Callable<Integer> {
  @Mixin FashionMnistOptions inputs;

  @Option(names = "--burst-factor", description = "Burst load as a multiple of capacity (default: ${DEFAULT-VALUE}).")
  double burstFactor = 2;

  @Option(names = "--burst-seconds", description = "How long the burst lasts (default: ${DEFAULT-VALUE}).")
  double burstSeconds = 60;

  @Option(names = "--after-factor", description = "Load after the burst, as a multiple of capacity "
      + "(default: ${DEFAULT-VALUE}).")
  double afterFactor = 0.5;

  @Option(names = "--after-seconds", description = "How long the load after the burst lasts "
      + "(default: ${DEFAULT-VALUE}).")
  double afterSeconds = 120;

  @Option(names = "--slo-ms", description = "The latency objective, aep.slo.latency-ms (default: ${DEFAULT-VALUE}).")
  long sloMs = 1000;

  @Option(names = "--max-accuracy-loss", description = "The controller's ceiling, aep.slo.max-accuracy-loss, in "
      + "points (default: ${DEFAULT-VALUE}).")
  double maxAccuracyLoss = 2.0;

  @Option(names = "--interval-ms", description = "How often the controller looks, aep.slo.interval-ms "
      + "(default: ${DEFAULT-VALUE}).")
  long intervalMs = 500;

  @Option(names = "--split-after", description = "The split deployment's cut: stages 1-K and the rest; 0 runs one "
      + "instance only (default: after the model's first kept exit).")
  Integer splitAfter;

  @Option(names = "--capacity-images", description = "Images for each capacity measurement; fewer than about 20,000 "
      + "measure mostly the start-up (default: ${DEFAULT-VALUE}).")
  int capacityImages = 20_000;

  @Option(names = "--partitions", description = "Partitions per topic (default: ${DEFAULT-VALUE}).")
  int partitions = 2;

  @Option(names = "--out", description = "Folder for burst.json, burst.md and the plots (default: ${DEFAULT-VALUE}).")
  Path out = Path.of("runs", "burst");

  @Option(names = "--set", description = "key=value for the pipeline's instances, repeatable.")
  Map<String, String> set = new LinkedHashMap<>();

  @Override
  public Integer call() throws Exception {
    if (!(burstFactor > 0) || !(afterFactor > 0) || !(burstSeconds > 0) || !(afterSeconds >= 0) || sloMs < 1
        || !(maxAccuracyLoss >= 0) || intervalMs < 1 || capacityImages < 100 || partitions < 1
        || splitAfter != null && splitAfter < 0) {
      throw new IllegalArgumentException("--burst-factor, --after-factor, --burst-seconds, --slo-ms and --interval-ms "
          + "must be positive, --after-seconds, --max-accuracy-loss and --split-after not negative, "
          + "--capacity-images at least 100, --partitions at least 1");
    }
    Path dataset = inputs.dataset();
    ImageSet test = Datasets.readAsStored(dataset, Datasets.Split.TEST, 1, 28, 28);
    Path bundle = inputs.bundle(dataset);
    int stages = ModelBundle.open(bundle).manifest().stages().size();
    int split = splitAfter != null ? splitAfter : io.aepstreams.demo.bench.Bench.firstSplitOf(
        ModelBundle.open(bundle).manifest());
    if (split >= stages) {
      throw new IllegalArgumentException("--split-after " + split + " leaves nothing for the second instance: the "
          + "model has " + stages + " stages");
    }
    BurstBench.run(new BurstBench.Options(bundle, test, split, burstFactor, burstSeconds, afterFactor, afterSeconds,
        sloMs, maxAccuracyLoss, intervalMs, Batching.DEFAULT.maxSize(), Batching.DEFAULT.maxDelayMs(),
        capacityImages, partitions, out, set), System.out);
    return 0;
  }
}
