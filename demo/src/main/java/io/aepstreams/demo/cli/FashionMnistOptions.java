package io.aepstreams.demo.cli;

import io.aepstreams.demo.DemoData;
import io.aepstreams.demo.QuickModel;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The model and the Fashion-MNIST images that the demo and the benchmark stream: options both take. */
final class FashionMnistOptions {
  @Option(names = "--model", description = "Model bundle (directory or .zip); default: train a quick one, cached.")
  Path model;

  @Option(names = "--data", description = "Fashion-MNIST folder (default: Debian's, or fetched into --cache).")
  Path data;

  @Option(names = "--cache", description = "Where the quick model and a fetched dataset are kept "
      + "(default: ${DEFAULT-VALUE}).")
  Path cache = Path.of(".cache");

  /** The dataset folder: the one given, Debian's, or one fetched into the cache. */
  Path dataset() {
    return data != null ? data : DemoData.locate(cache);
  }

  /** The bundle: the one given, or the quick model (trained on {@code dataset} the first time). */
  Path bundle(Path dataset) {
    return model != null ? model : QuickModel.trainOrReuse(cache, dataset);
  }
}
