package io.aepstreams.streams.cli;

import io.aepstreams.model.data.Datasets;
import io.aepstreams.model.data.ImageSet;
import io.aepstreams.streams.config.Topics;
import io.aepstreams.streams.produce.ImageProducer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "produce", mixinStandardHelpOptions = true,
    description = "Sends images from an IDX file pair, CIFAR-10 batches or an image folder to the images topic as "
        + "ImageRecords on the Confluent wire format, at a chosen rate.")
final class ProduceCommand implements Callable<Integer> {
  @Option(names = "--data", description = "Dataset folder (default: ${DEFAULT-VALUE}).")
  Path data = Datasets.FASHION_MNIST;

  @Option(names = "--split", description = "train or test (default: ${DEFAULT-VALUE}).")
  String split = "test";

  @Option(names = "--bootstrap-servers", required = true, description = "Kafka brokers.")
  String bootstrap;

  @Option(names = "--schema-registry-url", required = true, description = "Schema Registry base URL.")
  String registry;

  @Option(names = "--topic", description = "Images topic (default: ${DEFAULT-VALUE}).")
  String topic = Topics.DEFAULT.images();

  @Option(names = "--rate", description = "Images per second (default: as fast as possible).")
  double rate;

  @Option(names = "--count", description = "Images to send, cycling through the set (default: the set's size).")
  Integer count;

  @Option(names = "--set", description = "key=value for the producer (security settings, ...), repeatable.")
  Map<String, String> set = new LinkedHashMap<>();

  @Option(names = "--image-size", description = "HxW for image folders (default: ${DEFAULT-VALUE}).")
  String imageSize = "28x28";

  @Option(names = "--channels", description = "Channels for image folders (default: ${DEFAULT-VALUE}).")
  int channels = 1;

  @Override
  public Integer call() throws Exception {
    if (!split.equals("test") && !split.equals("train")) {
      throw new IllegalArgumentException("--split must be train or test, got " + split);
    }
    String[] hw = imageSize.split("x");
    if (hw.length != 2) {
      throw new IllegalArgumentException("--image-size must look like 28x28, got " + imageSize);
    }
    ImageSet images = Datasets.readAsStored(data, split.equals("test") ? Datasets.Split.TEST : Datasets.Split.TRAIN,
        channels, Integer.parseInt(hw[0]), Integer.parseInt(hw[1]));
    int total = count == null ? images.size() : count;
    Map<String, Object> settings = new HashMap<>(set);
    settings.put("bootstrap.servers", bootstrap);
    settings.put("schema.registry.url", registry);
    long start = System.nanoTime();
    try (ImageProducer producer = new ImageProducer(settings, topic)) {
      producer.send(images, total, rate, split + "-", sent -> {
        if (sent % 1000 == 0 || sent == total) {
          System.out.printf(Locale.ROOT, "sent %,d/%,d (%.0f img/s)%n", sent, total,
              sent / ((System.nanoTime() - start) / 1e9));
        }
      });
      if (producer.failures() > 0) {
        System.err.printf("%,d sends failed; the first: %s%n", producer.failures(),
            producer.firstFailure().map(Exception::getMessage).orElse("?"));
        return 1;
      }
    }
    return 0;
  }
}
