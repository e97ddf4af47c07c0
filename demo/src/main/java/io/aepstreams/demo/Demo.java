package io.aepstreams.demo;

import io.aepstreams.model.bundle.Manifest;
import io.aepstreams.model.bundle.ModelBundle;
import io.aepstreams.model.data.Datasets;
import io.aepstreams.model.data.ImageSet;
import io.aepstreams.records.Classification;
import io.aepstreams.schemas.registry.InMemorySchemaRegistry;
import io.aepstreams.schemas.wire.AvroDeserializer;
import io.aepstreams.streams.config.AppConfig;
import io.aepstreams.streams.config.Topics;
import io.aepstreams.embedded.EmbeddedKafka;
import io.aepstreams.streams.produce.ImageProducer;
import io.aepstreams.streams.topics.TopicAdmin;
import io.aepstreams.streams.topics.TopicPlan;
import io.aepstreams.streams.runtime.PipelineInstance;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The one-command demo: an in-JVM broker and registry, a model (given or quickly trained), the Fashion-MNIST test
 * images streamed through the pipeline with a live progress line, and a summary at the end.
 */
public final class Demo {

  /** What to run. {@code splitAfter} 0 runs one instance; k runs stages 1-k and k+1-n as two. */
  /** {@code settings}: extra settings for the instances (Kafka Streams', or aep.*), as {@code ./aep run --set}. */
  public record Options(Path model, Path data, Path cache, int limit, double rate, int splitAfter, int partitions,
      Map<String, String> settings) {}

  private Demo() {}

  public static void run(Options options, PrintStream out) throws Exception {
    Path data = options.data() != null ? options.data() : DemoData.locate(options.cache());
    ImageSet test = Datasets.readAsStored(data, Datasets.Split.TEST, 1, 28, 28);
    if (options.limit() > 0) {
      test = test.head(options.limit());
    }
    Path model = options.model() != null ? options.model() : QuickModel.trainOrReuse(options.cache(), data);
    Manifest manifest = ModelBundle.open(model).manifest();
    int stages = manifest.stages().size();
    if (options.splitAfter() >= stages) {
      throw new IllegalArgumentException("--split-after " + options.splitAfter() + " leaves nothing for the second "
          + "instance: the model has " + stages + " stages");
    }
    out.printf("starting an in-JVM Kafka broker and an in-memory Schema Registry...%n");
    String scope = "demo-" + UUID.randomUUID();
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      Map<String, String> settings = new HashMap<>();
      settings.put(AppConfig.MODEL, model.toString());
      settings.put("bootstrap.servers", kafka.bootstrapServers());
      settings.put("schema.registry.url", "mock://" + scope);
      settings.put("auto.offset.reset", "earliest");
      settings.put(AppConfig.INSTANCE, "demo");
      settings.putAll(options.settings());
      AppConfig base = AppConfig.from(settings);
      // The same topics, sized the same way, as ./aep topics create makes on a real cluster.
      try (TopicAdmin admin = TopicAdmin.connect(base.kafka())) {
        List<TopicAdmin.Problem> problems = admin.create(TopicPlan.all(base, manifest), options.partitions(),
            Optional.of((short) 1));
        if (!problems.isEmpty()) {
          throw new IllegalStateException("the demo's topics are not ready: " + problems);
        }
      }
      List<String> ranges = options.splitAfter() > 0
          ? List.of("1-" + options.splitAfter(), (options.splitAfter() + 1) + "-" + stages)
          : List.of("1-" + stages);
      List<PipelineInstance> instances = new ArrayList<>();
      try {
        for (String range : ranges) {
          settings.put(AppConfig.STAGES, range);
          instances.add(PipelineInstance.start(AppConfig.from(settings)));
        }
        for (PipelineInstance instance : instances) {
          instance.awaitRunning(Duration.ofSeconds(60));
        }
        out.printf("pipeline running: %s, stages %s; streaming %,d test images%n", manifest.name(),
            String.join(" | ", ranges), test.size());
        stream(test, manifest, kafka, scope, options, out);
      } finally {
        for (PipelineInstance instance : instances) {
          instance.close();
        }
      }
    } finally {
      InMemorySchemaRegistry.dropScope(scope);
    }
  }

  private static void stream(ImageSet test, Manifest manifest, EmbeddedKafka kafka, String scope, Options options,
      PrintStream out) throws Exception {
    DemoStats stats = new DemoStats(manifest);
    AtomicBoolean done = new AtomicBoolean();
    AtomicLong dlq = new AtomicLong();
    Map<String, Object> clientSettings = new HashMap<>();
    clientSettings.put("bootstrap.servers", kafka.bootstrapServers());
    clientSettings.put("schema.registry.url", "mock://" + scope);
    Thread consumer = new Thread(() -> consume(clientSettings, stats, dlq, done), "demo-results");
    consumer.start();
    AtomicLong sent = new AtomicLong();
    long start = System.nanoTime();
    boolean terminal = System.console() != null;
    Thread progress = new Thread(() -> {
      long lastLine = 0;
      while (!done.get()) {
        double seconds = (System.nanoTime() - start) / 1e9;
        String line = stats.progress(sent.get(), test.size(), seconds);
        if (terminal) {
          out.print("\r" + line);
        } else if (System.nanoTime() - lastLine > 5_000_000_000L) {
          out.println(line);
          lastLine = System.nanoTime();
        }
        try {
          Thread.sleep(terminal ? 250 : 500);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "demo-progress");
    progress.setDaemon(true);
    progress.start();
    try (ImageProducer producer = new ImageProducer(clientSettings, Topics.DEFAULT.images())) {
      producer.send(test, test.size(), options.rate(), "fmnist-test-", sent::set);
    }
    long lastCount = -1;
    long lastChange = System.nanoTime();
    while (stats.count() + dlq.get() < test.size()) {
      if (stats.count() != lastCount) {
        lastCount = stats.count();
        lastChange = System.nanoTime();
      } else if (System.nanoTime() - lastChange > Duration.ofSeconds(60).toNanos()) {
        out.printf("%nno result for 60 s: stopping with %,d of %,d classified%n", stats.count(), test.size());
        break;
      }
      Thread.sleep(100);
    }
    done.set(true);
    consumer.join(); // closed before the instances and the broker stop, so nothing warns of a vanished broker
    progress.join(1_000);
    out.println(terminal ? "\r" + stats.progress(sent.get(), test.size(), (System.nanoTime() - start) / 1e9)
        : stats.progress(sent.get(), test.size(), (System.nanoTime() - start) / 1e9));
    out.print(stats.summary(dlq.get()));
  }

  /**
   * Reads results and dead letters from the start of their partitions. No consumer group: the demo commits
   * nothing, so its consumers need no coordinator and close at once, before the broker stops.
   */
  private static void consume(Map<String, Object> settings, DemoStats stats, AtomicLong dlq, AtomicBoolean done) {
    Map<String, Object> config = new HashMap<>(settings);
    // The pipeline writes in transactions: read only what it committed, as every consumer of results should.
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    AvroDeserializer<Classification> values = AvroDeserializer.forClass(Classification.class);
    values.configure(config, false);
    try (KafkaConsumer<byte[], Classification> results = new KafkaConsumer<>(config, new ByteArrayDeserializer(),
        values);
        KafkaConsumer<byte[], byte[]> dead = new KafkaConsumer<>(config, new ByteArrayDeserializer(),
            new ByteArrayDeserializer())) {
      readFromStart(results, Topics.DEFAULT.classifications());
      readFromStart(dead, Topics.DEFAULT.dlq());
      while (!done.get()) {
        results.poll(Duration.ofMillis(100)).forEach(record -> stats.add(record.value(),
            System.currentTimeMillis()));
        dlq.addAndGet(dead.poll(Duration.ofMillis(10)).count());
      }
    }
  }

  private static void readFromStart(KafkaConsumer<?, ?> consumer, String topic) {
    List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
        .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
  }
}
