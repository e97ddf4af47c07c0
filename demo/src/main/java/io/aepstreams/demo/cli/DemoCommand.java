package io.aepstreams.demo.cli;

import io.aepstreams.demo.Demo;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "demo", mixinStandardHelpOptions = true,
    description = {"Starts a Kafka broker and a Schema Registry inside this process, takes a model (or trains a quick "
        + "one), streams the Fashion-MNIST test images through the pipeline and prints a summary: accuracy, "
        + "exits per stage, MACs saved, throughput, end-to-end latency.",
        "Fashion-MNIST comes from Debian's dataset-fashion-mnist, fetched into --cache if not installed."})
final class DemoCommand implements Callable<Integer> {
  @Mixin FashionMnistOptions inputs;

  @Option(names = "--limit", description = "Stream only the first N test images (default: all 10,000).")
  int limit;

  @Option(names = "--rate", description = "Images per second to send (default: as fast as possible).")
  double rate;

  @Option(names = "--split-after", description = "Run stages 1-K and the rest as two instances, handing images "
      + "over through aep.stage-(K+1) (default: one instance).")
  int splitAfter;

  @Option(names = "--partitions", description = "Partitions per topic (default: ${DEFAULT-VALUE}).")
  int partitions = 2;

  @Option(names = "--set", description = "key=value for the pipeline's instances, repeatable: any Kafka Streams "
      + "setting (processing.guarantee=at_least_once, ...) or aep.* key (aep.policy=off, ...).")
  Map<String, String> set = new LinkedHashMap<>();

  @Override
  public Integer call() throws Exception {
    if (limit < 0 || rate < 0 || splitAfter < 0 || partitions < 1) {
      throw new IllegalArgumentException("--limit, --rate and --split-after must not be negative; --partitions >= 1");
    }
    Demo.run(new Demo.Options(inputs.model, inputs.data, inputs.cache, limit, rate, splitAfter, partitions, set), System.out);
    return 0;
  }
}
