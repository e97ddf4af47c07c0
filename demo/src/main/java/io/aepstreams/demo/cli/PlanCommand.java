package io.aepstreams.demo.cli;

import ai.djl.ndarray.NDManager;
import io.aepstreams.demo.bench.Bench;
import io.aepstreams.demo.plan.HandoffTrial;
import io.aepstreams.demo.plan.PlanReport;
import io.aepstreams.demo.plan.SplitPlan;
import io.aepstreams.demo.plan.StageTimes;
import io.aepstreams.model.bundle.Manifest;
import io.aepstreams.model.bundle.ModelBundle;
import io.aepstreams.model.bundle.StagedModel;
import io.aepstreams.model.data.Datasets;
import io.aepstreams.model.data.ImageSet;
import io.aepstreams.model.policy.ExitPolicy;
import io.aepstreams.streams.config.Batching;
import io.aepstreams.streams.config.Handoff;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "plan", mixinStandardHelpOptions = true,
    description = {"Where to split a model between an edge instance and a deep one, and how to encode the hand-offs. "
        + "Measures each stage's time on this machine (batch 1 and --batch-size), takes the share of images "
        + "reaching each stage from the bundle's calibration, streams the test images through every split point "
        + "with every hand-off encoding (float32, float16, int8) to measure the records' bytes (as written and "
        + "compressed) and the decisions against float32's; then ranks split and encoding by the edge's work, the "
        + "bytes crossing and the time end to end for the --link-mbps and --deep-speedup given.",
        "Writes plan.md, plan.json and plan.png to --out."})
final class PlanCommand implements Callable<Integer> {
  @Mixin FashionMnistOptions inputs;

  @Option(names = "--images", description = "Test images to stream through every split and encoding "
      + "(default: ${DEFAULT-VALUE}, the whole Fashion-MNIST test set).")
  int images = 10_000;

  @Option(names = "--batch-size", description = "The batch size in use (default: ${DEFAULT-VALUE}, aep.batch.max-size's).")
  int batch = Batching.DEFAULT.maxSize();

  @Option(names = "--link-mbps", description = "The edge-to-deep link's bandwidth, Mbit/s (default: ${DEFAULT-VALUE}).")
  double linkMbps = 100;

  @Option(names = "--deep-speedup", description = "How many times faster the deep side runs a stage than this "
      + "machine (default: ${DEFAULT-VALUE}: a GPU against a few CPU cores).")
  double deepSpeedup = 10;

  @Option(names = "--hop-ms", description = "What a hand-off through the broker adds to an image's time, ms "
      + "(default: ${DEFAULT-VALUE}).")
  double hopMs = 5;

  @Option(names = "--compression", description = "Compression of the hand-offs the plan ranks by: none, lz4 or zstd "
      + "(default: aep.handoff.compression's, ${DEFAULT-VALUE}).")
  String compression = Handoff.DEFAULT.compression();

  @Option(names = "--timing-passes", description = "Timed passes per stage and batch size (default: ${DEFAULT-VALUE}).")
  int passes = 50;

  @Option(names = "--size-sample", description = "Hand-off records measured per split and encoding "
      + "(default: ${DEFAULT-VALUE}).")
  int sizeSample = 256;

  @Option(names = "--out", description = "Folder for plan.md, plan.json and plan.png (default: ${DEFAULT-VALUE}).")
  Path out = Path.of("runs", "plan");

  @Option(names = "--command-line", hidden = true, description = "How this run was started, for the report.")
  String commandLine;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (images < 1 || batch < 1 || passes < 1 || sizeSample < 1 || !(linkMbps > 0) || !(deepSpeedup > 0)
        || !(hopMs >= 0)) {
      throw new IllegalArgumentException("--images, --batch-size, --timing-passes, --size-sample, --link-mbps and "
          + "--deep-speedup must be positive, --hop-ms zero or more");
    }
    if (!HandoffTrial.CODECS.contains(compression)) {
      throw new IllegalArgumentException("--compression must be one of " + String.join(", ", HandoffTrial.CODECS)
          + ", got '" + compression + "'");
    }
    Path dataset = inputs.dataset();
    ImageSet test = Datasets.readAsStored(dataset, Datasets.Split.TEST, 1, 28, 28);
    test = test.head(Math.min(images, test.size()));
    Path bundlePath = inputs.bundle(dataset);
    ModelBundle bundle = ModelBundle.open(bundlePath);
    Manifest manifest = bundle.manifest();
    if (manifest.stages().size() < 2) {
      throw new IllegalArgumentException("the bundle has one stage: there is no split to plan");
    }
    ExitPolicy policy = manifest.policy();
    System.out.printf(Locale.ROOT, "plan: %s %s, %d stages, exits %s%n", manifest.name(), manifest.version(),
        manifest.stages().size(), manifest.exitStages());
    try (NDManager manager = NDManager.newBaseManager(); StagedModel model = StagedModel.all(bundle, manager)) {
      System.out.printf(Locale.ROOT, "timing each stage at batch 1 and %d (%d passes each)...%n", batch, passes);
      List<StageTimes.Row> times = StageTimes.measure(model, manager, test, batch, passes);
      int total = test.size();
      long start = System.nanoTime();
      long[] shown = {0};
      HandoffTrial.Result trial = HandoffTrial.run(model, manager, test, policy, batch, sizeSample, done -> {
        long now = System.nanoTime();
        if (now - shown[0] < 1_000_000_000L && done < total) {
          return; // a line a second is progress enough, and keeps a log readable
        }
        shown[0] = now;
        double seconds = (now - start) / 1e9;
        System.out.printf(Locale.ROOT, "\rstreaming %,d test images through every split and encoding: %,d done "
            + "(%.0f images/s)", total, done, done / Math.max(seconds, 1e-3));
      });
      System.out.println();
      Map<Integer, Double> calibrated = SplitPlan.calibratedExitShares(manifest);
      String source = calibrated != null ? "calibration (validation)" : "these test images (the bundle has no "
          + "calibration figures)";
      long raw = (long) manifest.input().channels() * manifest.input().height() * manifest.input().width();
      SplitPlan.Plan plan = SplitPlan.plan(manifest, calibrated != null ? calibrated : trial.exitShares(), source,
          times, trial, raw, new SplitPlan.Link(linkMbps, deepSpeedup, hopMs, compression));
      String command = commandLine != null ? commandLine : "./aep " + String.join(" ", spec.commandLine()
          .getParseResult().originalArgs());
      PlanReport.Report report = new PlanReport.Report(manifest.name(), manifest.version(),
          Bench.machine().describe(), command, trial.images(), trial.accuracy(), batch, plan, trial.agreements(),
          trial.sizes(), plan.chosen());
      PlanReport.write(report, out);
      System.out.print(PlanReport.markdown(report));
      System.out.println("written: " + out.resolve("plan.md") + ", plan.json, plan.png");
    }
    return 0;
  }
}
