package io.aepstreams.demo.bench;

import io.aepstreams.model.bundle.Manifest;
import io.aepstreams.model.data.ImageSet;
import io.aepstreams.records.Classification;
import io.aepstreams.schemas.registry.InMemorySchemaRegistry;
import io.aepstreams.schemas.wire.AvroDeserializer;
import io.aepstreams.streams.config.AppConfig;
import io.aepstreams.streams.produce.ImageProducer;
import io.aepstreams.streams.runtime.PipelineInstance;
import io.aepstreams.streams.topics.TopicAdmin;
import io.aepstreams.streams.topics.TopicPlan;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.search.Search;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The pipeline through the in-JVM broker, exactly-once on, as it runs in production: its throughput on a topic
 * filled beforehand, its latency at a fixed offered rate, and its memory over a long run. Each run has topics and
 * an application id of its own.
 */
final class BrokerRuns implements AutoCloseable {
  /**
   * Throughput, this process's CPU per image (the reader included, and the broker where it runs in this JVM), mean
   * images per pass of the first stage, and the CPU per image by who spent it (the broker's too, where it runs in a
   * process of its own).
   */
  record Throughput(double imagesPerSecond, double cpuMillisPerImage, double meanBatch,
      Map<CpuAttribution.Part, Double> cpuByPart, Map<Integer, Double> meanBatchByStage, double releasedFullShare) {}

  /**
   * What {@link #liveMaximum} measured: images/s answered while images arrived at {@code offeredRate}; {@code
   * saturated} when the pipeline fell behind it (so the rate is its maximum, not the offered one).
   */
  record LiveMaximum(double imagesPerSecond, double offeredRate, boolean saturated) {}

  /** Latency percentiles in ms: sent to decided, and sent to read by a read_committed consumer. */
  record Latency(double offeredRate, int images, long decidedP50, long decidedP99, long decidedP999, long readP50,
      long readP99, long readP999) {}

  /**
   * A split run with one hand-off setting: its latency, the images handed on, and the bytes their stage topic holds
   * on the broker (its log, record batches, compression and transaction markers included).
   */
  record HandoffRun(String encoding, String compression, int imagesSent, long handedOn, long brokerBytes,
      Latency latency) {}

  /** Resident memory samples: images answered so far, and the process's RSS and heap in use, in MiB. */
  record MemorySample(long images, double rssMiB, double heapMiB) {}

  private final Path model;
  private final Manifest manifest;
  private final Map<String, String> extra;
  private final int partitions;
  private final Broker kafka;
  private final String scope = "bench-" + UUID.randomUUID();
  /** Added before any instance registers its meters, so that it sees them all; runs read differences. */
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private int runs;

  /** Runs against a broker started inside this JVM. */
  BrokerRuns(Path model, Manifest manifest, Map<String, String> extra, int partitions) {
    this(model, manifest, extra, partitions, Broker.inJvm());
  }

  /** Runs against {@code broker}, which this closes. */
  BrokerRuns(Path model, Manifest manifest, Map<String, String> extra, int partitions, Broker broker) {
    this.model = model;
    this.manifest = manifest;
    this.extra = extra;
    this.partitions = partitions;
    Metrics.addRegistry(meters);
    this.kafka = broker;
  }

  /** The broker's JIT time so far (ms), where it runs as a process of the bench's. */
  OptionalLong brokerJitMillis() {
    return kafka.jitMillis();
  }

  /** Where the broker runs, in a report's words. */
  String brokerDescription() {
    return kafka.description();
  }

  /** Settings for a new run: topics and application ids of its own, the batch size, then the user's settings. */
  private Map<String, String> settings(int batch, long maxDelayMs, Map<String, String> more) {
    String prefix = "bench-" + ++runs;
    Map<String, String> settings = new HashMap<>();
    settings.put(AppConfig.MODEL, model.toString());
    settings.put("bootstrap.servers", kafka.bootstrapServers());
    settings.put("schema.registry.url", "mock://" + scope);
    settings.put("auto.offset.reset", "earliest");
    settings.put(AppConfig.INSTANCE, "bench");
    settings.put(AppConfig.APPLICATION_ID_PREFIX, prefix);
    settings.put(AppConfig.TOPIC_IMAGES, prefix + ".images");
    settings.put(AppConfig.TOPIC_CLASSIFICATIONS, prefix + ".classifications");
    settings.put(AppConfig.TOPIC_STAGE_PREFIX, prefix + ".stage-");
    settings.put(AppConfig.TOPIC_DLQ, prefix + ".dlq");
    settings.put(AppConfig.TOPIC_CONTROL, prefix + ".control");
    settings.put(AppConfig.BATCH_MAX_SIZE, String.valueOf(batch));
    settings.put(AppConfig.BATCH_MAX_DELAY_MS, String.valueOf(maxDelayMs));
    settings.putAll(extra);
    settings.putAll(more);
    AppConfig config = AppConfig.from(settings);
    try (TopicAdmin admin = TopicAdmin.connect(config.kafka())) {
      List<TopicAdmin.Problem> problems = admin.create(TopicPlan.all(config, manifest), partitions,
          Optional.of((short) 1));
      if (!problems.isEmpty()) {
        throw new IllegalStateException("the benchmark's topics are not ready: " + problems);
      }
    }
    return settings;
  }

  /** Instances for {@code ranges} ("1-4", or "1-2" and "3-4"), started and running. */
  private static List<PipelineInstance> start(Map<String, String> settings, List<String> ranges)
      throws InterruptedException {
    List<PipelineInstance> instances = new ArrayList<>();
    for (String range : ranges) {
      Map<String, String> own = new HashMap<>(settings);
      own.put(AppConfig.STAGES, range);
      instances.add(PipelineInstance.start(AppConfig.from(own)));
    }
    for (PipelineInstance instance : instances) {
      instance.awaitRunning(Duration.ofSeconds(60));
    }
    return instances;
  }

  /**
   * {@code count} images written to the input topic first, then one instance started on them: images per second
   * from the {@code warmup}-th answer to the last.
   */
  Throughput throughput(ImageSet images, int count, int warmup, int batch, long maxDelayMs, List<String> ranges,
      Map<String, String> more) throws Exception {
    Map<String, String> settings = settings(batch, maxDelayMs, more);
    AppConfig config = AppConfig.from(settings);
    try (ImageProducer producer = new ImageProducer(client(), config.topics().images())) {
      producer.send(images, count, 0, "t-", sent -> { });
      requireSent(producer, count);
    }
    String firstStage = ranges.get(0).split("-")[0];
    int lastStage = Integer.parseInt(ranges.get(ranges.size() - 1).split("-")[1]);
    double fullBefore = released(firstStage, "full");
    double delayBefore = released(firstStage, "delay");
    long[] passesBefore = new long[lastStage + 1];
    double[] imagesBefore = new double[lastStage + 1];
    for (int stage = 1; stage <= lastStage; stage++) {
      passesBefore[stage] = batchPasses(String.valueOf(stage));
      imagesBefore[stage] = batchImages(String.valueOf(stage));
    }
    long[] at = new long[2];
    long[] cpu = new long[2];
    CpuAttribution.Snapshot[] parts = new CpuAttribution.Snapshot[2];
    List<PipelineInstance> instances = List.of();
    try (ResultReader reader = new ResultReader(client(), config.topics().classifications(), record -> { })) {
      instances = start(settings, ranges);
      long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
      while (reader.count() < count) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("only " + reader.count() + " of " + count + " answered in 10 minutes");
        }
        if (at[0] == 0 && reader.count() >= warmup) {
          at[0] = System.nanoTime();
          cpu[0] = CpuTime.process();
          parts[0] = CpuAttribution.take(this::stageCpuSeconds, kafka.cpuNanos());
        }
        Thread.sleep(1);
      }
      at[1] = System.nanoTime();
      cpu[1] = CpuTime.process();
      parts[1] = CpuAttribution.take(this::stageCpuSeconds, kafka.cpuNanos());
      Map<Integer, Double> meanBatches = new java.util.TreeMap<>();
      for (int stage = Integer.parseInt(firstStage); stage <= lastStage; stage++) {
        long passes = batchPasses(String.valueOf(stage)) - passesBefore[stage];
        if (passes > 0) {
          meanBatches.put(stage, (batchImages(String.valueOf(stage)) - imagesBefore[stage]) / passes);
        }
      }
      return new Throughput((count - warmup) / ((at[1] - at[0]) / 1e9), (cpu[1] - cpu[0]) / 1e6 / (count - warmup),
          meanBatches.getOrDefault(Integer.parseInt(firstStage), Double.NaN),
          CpuAttribution.perImage(parts[0], parts[1], count - warmup), meanBatches,
          (released(firstStage, "full") - fullBefore) / Math.max(1, released(firstStage, "full") - fullBefore
              + released(firstStage, "delay") - delayBefore));
    } finally {
      instances.forEach(PipelineInstance::close);
    }
  }

  /** The CPU the stream threads of this JVM have spent running stages so far. */
  private double stageCpuSeconds() {
    return Search.in(meters).name("aep.stage.cpu").counters().stream()
        .mapToDouble(io.micrometer.core.instrument.Counter::count).sum();
  }

  /** First-stage batches let go so far for {@code cause} (full, or delay). */
  private double released(String stage, String cause) {
    var counter = Search.in(meters).name("aep.batch.released").tag("stage", stage).tag("cause", cause).counter();
    return counter == null ? 0 : counter.count();
  }

  private long batchPasses(String stage) {
    var summary = Search.in(meters).name("aep.stage.batch.size").tag("stage", stage).summary();
    return summary == null ? 0 : summary.count();
  }

  private double batchImages(String stage) {
    var summary = Search.in(meters).name("aep.stage.batch.size").tag("stage", stage).summary();
    return summary == null ? 0 : summary.totalAmount();
  }

  /**
   * Images sent at {@code rate} a second for {@code seconds} (after {@code warmupSeconds} not counted) through the
   * instances for {@code ranges}: the latency of each answer.
   */
  Latency latency(ImageSet images, double rate, double seconds, double warmupSeconds, int batch, long maxDelayMs,
      List<String> ranges) throws Exception {
    return latency(images, rate, seconds, warmupSeconds, batch, maxDelayMs, ranges, Map.of(), config -> { },
        result -> { });
  }

  /**
   * As {@link #latency(ImageSet, double, double, double, int, long, List)}, split in two ({@code ranges}), with the
   * hand-off written in {@code encoding} and compressed with {@code compression}; the bytes on the broker are read
   * from its log directories once every image is answered.
   */
  HandoffRun handoffs(ImageSet images, double rate, double seconds, int batch, long maxDelayMs, List<String> ranges,
      String encoding, String compression) throws Exception {
    int split = Integer.parseInt(ranges.get(0).split("-")[ranges.get(0).split("-").length - 1]);
    long[] bytes = {0};
    java.util.concurrent.atomic.AtomicLong handedOn = new java.util.concurrent.atomic.AtomicLong();
    Latency l = latency(images, rate, seconds, 3, batch, maxDelayMs, ranges, Map.of(AppConfig.HANDOFF_ENCODING,
        encoding, AppConfig.HANDOFF_COMPRESSION, compression), config -> {
          bytes[0] = topicBytes(config.topics().stage(split + 1));
        }, result -> {
          if (result.getExitStage() > split) {
            handedOn.incrementAndGet();
          }
        });
    int count = (int) (rate * 3) + (int) (rate * seconds);
    return new HandoffRun(encoding, compression, count, handedOn.get(), bytes[0], l);
  }

  /**
   * The most images/s {@code ranges} answer while the images arrive: sent at {@code rate}, meant to be more than the
   * pipeline manages, for {@code warmupSeconds} and then {@code seconds}, the answers counted over the second part
   * only. A maximum read from a topic written beforehand leaves out the broker's work taking the images in (on the
   * same cores), and on a shared machine one measured minutes before is another machine's: the latency runs are
   * offered shares of this one, measured just before them.
   */
  LiveMaximum liveMaximum(ImageSet images, double rate, double seconds, double warmupSeconds, int batch,
      long maxDelayMs, List<String> ranges) throws Exception {
    Map<String, String> settings = settings(batch, maxDelayMs, Map.of());
    AppConfig config = AppConfig.from(settings);
    int warm = (int) (rate * warmupSeconds);
    int measured = (int) (rate * seconds);
    List<PipelineInstance> instances = List.of();
    try (ResultReader reader = new ResultReader(client(), config.topics().classifications(), record -> { });
        ImageProducer producer = new ImageProducer(client(), config.topics().images())) {
      instances = start(settings, ranges);
      producer.send(images, warm, rate, "w-", sent -> { });
      long from = System.nanoTime();
      long answeredFrom = reader.count();
      producer.send(images, measured, rate, "m-", sent -> { });
      requireSent(producer, warm + measured);
      double answered = reader.count() - answeredFrom;
      double perSecond = answered / ((System.nanoTime() - from) / 1e9);
      return new LiveMaximum(perSecond, rate, fellBehind(warm + measured, reader.count(), batch, partitions, rate));
    } finally {
      instances.forEach(PipelineInstance::close);
    }
  }

  /**
   * Whether a pipeline that had answered {@code answered} of {@code sent} images, the last just sent, fell behind
   * the sender: by more than a few batches per partition and 50 ms of images, what a pipeline that keeps up holds.
   */
  static boolean fellBehind(long sent, long answered, int batch, int partitions, double rate) {
    return sent - answered > 4L * batch * partitions + rate * 0.05;
  }

  /** The bytes of {@code topic}'s partitions in the broker's log directories. */
  private long topicBytes(String topic) {
    try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(Map.of(
        "bootstrap.servers", kafka.bootstrapServers()))) {
      List<Integer> brokers = admin.describeCluster().nodes().get().stream().map(org.apache.kafka.common.Node::id)
          .toList();
      long total = 0;
      for (var dirs : admin.describeLogDirs(brokers).allDescriptions().get().values()) {
        for (var dir : dirs.values()) {
          for (var replica : dir.replicaInfos().entrySet()) {
            if (replica.getKey().topic().equals(topic)) {
              total += replica.getValue().size();
            }
          }
        }
      }
      return total;
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException("the broker did not describe its log directories: " + e.getCause(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private Latency latency(ImageSet images, double rate, double seconds, double warmupSeconds, int batch,
      long maxDelayMs, List<String> ranges, Map<String, String> more, Consumer<AppConfig> afterwards,
      Consumer<Classification> everyResult) throws Exception {
    Map<String, String> settings = settings(batch, maxDelayMs, more);
    AppConfig config = AppConfig.from(settings);
    Latencies decided = new Latencies();
    Latencies read = new Latencies();
    int warm = (int) (rate * warmupSeconds);
    int measured = (int) (rate * seconds);
    List<PipelineInstance> instances = List.of();
    Consumer<ConsumerRecord<byte[], Classification>> onResult = record -> {
      Classification result = record.value();
      everyResult.accept(result);
      if (result.getId().toString().startsWith("m-")) {
        long sent = result.getSentAt().toEpochMilli();
        decided.add(result.getDecidedAt().toEpochMilli() - sent);
        read.add(System.currentTimeMillis() - sent);
      }
    };
    try (ResultReader reader = new ResultReader(client(), config.topics().classifications(), onResult);
        ImageProducer producer = new ImageProducer(client(), config.topics().images())) {
      instances = start(settings, ranges);
      producer.send(images, warm, rate, "w-", sent -> { });
      producer.send(images, measured, rate, "m-", sent -> { });
      requireSent(producer, warm + measured);
      long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
      while (reader.count() < warm + measured && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      reader.stop();
      if (read.count() < measured) {
        throw new IllegalStateException("only " + read.count() + " of " + measured + " measured images answered");
      }
      afterwards.accept(config);
      return new Latency(rate, measured, decided.percentile(0.5), decided.percentile(0.99),
          decided.percentile(0.999), read.percentile(0.5), read.percentile(0.99), read.percentile(0.999));
    } finally {
      instances.forEach(PipelineInstance::close);
    }
  }

  /**
   * {@code count} images sent at {@code rate} a second through one instance (the test set repeated), sampling this
   * process's resident memory every {@code every} answers.
   */
  List<MemorySample> memory(ImageSet images, long count, double rate, int batch, long maxDelayMs, long every,
      LongSupplier rss, Consumer<MemorySample> progress) throws Exception {
    Map<String, String> settings = settings(batch, maxDelayMs, Map.of());
    AppConfig config = AppConfig.from(settings);
    List<MemorySample> samples = new ArrayList<>();
    List<PipelineInstance> instances = List.of();
    try (ResultReader reader = new ResultReader(client(), config.topics().classifications(), record -> { });
        ImageProducer producer = new ImageProducer(client(), config.topics().images())) {
      instances = start(settings, List.of("1-" + manifest.stages().size()));
      Thread sender = new Thread(() -> {
        try {
          producer.send(images, Math.toIntExact(count), rate, "r-", sent -> { });
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }, "bench-memory-sender");
      sender.start();
      long next = 0;
      long lastChange = System.nanoTime();
      long lastCount = -1;
      while (reader.count() < count) {
        long answered = reader.count();
        if (answered >= next) {
          Runtime runtime = Runtime.getRuntime();
          MemorySample sample = new MemorySample(answered, rss.getAsLong() / 1048576.0,
              (runtime.totalMemory() - runtime.freeMemory()) / 1048576.0);
          samples.add(sample);
          progress.accept(sample);
          next = answered + every;
        }
        if (answered != lastCount) {
          lastCount = answered;
          lastChange = System.nanoTime();
        } else if (System.nanoTime() - lastChange > Duration.ofSeconds(120).toNanos()) {
          throw new IllegalStateException("no answer for 120 s after " + answered + " of " + count);
        }
        Thread.sleep(50);
      }
      sender.join();
      samples.add(new MemorySample(reader.count(), rss.getAsLong() / 1048576.0,
          (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) / 1048576.0));
      return samples;
    } finally {
      instances.forEach(PipelineInstance::close);
    }
  }

  /** One rate held for a while: a phase of an offered load that changes. */
  record Phase(String name, double rate, double seconds) {
    int images() {
      return (int) Math.round(rate * seconds);
    }
  }

  /** One image's answer: when it was sent and decided, by which point, where it left, whether it was right. */
  record Answer(String id, String phase, long sentAtMs, long decidedAtMs, int point, double budget, int exitStage,
      boolean correct) {}

  /** What a paced run gave: every answer, and the edge's point in force sampled every 200 ms (ms, point). */
  record Paced(long startMs, List<Answer> answers, List<long[]> points, long duplicates) {}

  /**
   * Images sent phase after phase, each at its rate, through the instances for {@code ranges} with {@code more}
   * settings; waits until every image is answered (at most {@code drainLimit} after the last is sent), sampling the
   * first instance's operating point meanwhile.
   */
  Paced paced(ImageSet images, List<Phase> phases, int batch, long maxDelayMs, List<String> ranges,
      Map<String, String> more, Duration drainLimit, Consumer<String> progress) throws Exception {
    Map<String, String> settings = settings(batch, maxDelayMs, more);
    AppConfig config = AppConfig.from(settings);
    Map<String, String> phaseOf = new java.util.concurrent.ConcurrentHashMap<>();
    List<Answer> answers = java.util.Collections.synchronizedList(new ArrayList<>());
    java.util.Set<String> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();
    java.util.concurrent.atomic.AtomicLong duplicates = new java.util.concurrent.atomic.AtomicLong();
    List<long[]> points = java.util.Collections.synchronizedList(new ArrayList<>());
    int total = phases.stream().mapToInt(Phase::images).sum();
    List<PipelineInstance> instances = List.of();
    Consumer<ConsumerRecord<byte[], Classification>> onResult = record -> {
      Classification c = record.value();
      if (!seen.add(c.getId())) {
        duplicates.incrementAndGet();
        return;
      }
      String id = c.getId();
      answers.add(new Answer(id, id.substring(0, id.indexOf('-')), c.getSentAt().toEpochMilli(),
          c.getDecidedAt().toEpochMilli(), c.getOperatingPoint() == null ? -1 : c.getOperatingPoint().getIndex(),
          c.getOperatingPoint() == null ? Double.NaN : c.getOperatingPoint().getBudgetPoints(), c.getExitStage(),
          c.getLabel() != null && c.getLabel() == c.getClassIndex()));
    };
    try (ResultReader reader = new ResultReader(client(), config.topics().classifications(), onResult);
        ImageProducer producer = new ImageProducer(client(), config.topics().images())) {
      instances = start(settings, ranges);
      PipelineInstance edge = instances.get(0);
      long start = System.currentTimeMillis();
      java.util.concurrent.ScheduledExecutorService sampler = java.util.concurrent.Executors
          .newSingleThreadScheduledExecutor();
      sampler.scheduleAtFixedRate(() -> points.add(new long[] {System.currentTimeMillis() - start,
          edge.points().current().index()}), 0, 200, java.util.concurrent.TimeUnit.MILLISECONDS);
      try {
        int offset = 0;
        for (Phase phase : phases) {
          progress.accept(String.format(java.util.Locale.ROOT, "%s: %,d images at %.0f/s for %.0f s", phase.name(),
              phase.images(), phase.rate(), phase.seconds()));
          producer.send(shifted(images, offset), phase.images(), phase.rate(), phase.name() + "-", sent -> { });
          offset += phase.images();
        }
        requireSent(producer, total);
        long deadline = System.nanoTime() + drainLimit.toNanos();
        long lastReport = 0;
        while (reader.count() - duplicates.get() < total) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException("only " + (reader.count() - duplicates.get()) + " of " + total
                + " answered within " + drainLimit + " of the last image sent");
          }
          if (System.nanoTime() - lastReport > 10e9) {
            lastReport = System.nanoTime();
            progress.accept(String.format(java.util.Locale.ROOT, "draining: %,d of %,d answered",
                reader.count() - duplicates.get(), total));
          }
          Thread.sleep(20);
        }
        Thread.sleep(1000); // a second more, to see a duplicate if there were one
        reader.stop();
      } finally {
        sampler.shutdownNow();
      }
      return new Paced(start, List.copyOf(answers), List.copyOf(points), duplicates.get());
    } finally {
      instances.forEach(PipelineInstance::close);
    }
  }

  /** {@code images} starting at image {@code offset} (the test set goes round): phases send different images. */
  private static ImageSet shifted(ImageSet images, int offset) {
    int n = images.size();
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = (i + offset) % n;
    }
    return images.select(order);
  }

  /** A run that lost images on their way in would wait for their answers for ever: say why instead. */
  private static void requireSent(ImageProducer producer, long count) {
    if (producer.failures() > 0) {
      throw new IllegalStateException(producer.failures() + " of " + count + " images could not be sent: "
          + producer.firstFailure().map(Exception::toString).orElse("?"));
    }
  }

  private Map<String, Object> client() {
    Map<String, Object> settings = new HashMap<>();
    settings.put("bootstrap.servers", kafka.bootstrapServers());
    settings.put("schema.registry.url", "mock://" + scope);
    return settings;
  }

  @Override
  public void close() {
    kafka.close();
    Metrics.removeRegistry(meters);
    meters.close();
    InMemorySchemaRegistry.dropScope(scope);
  }

  /**
   * Reads every committed result of a topic from its start on a thread of its own, counting them; no consumer
   * group, so nothing to commit and nothing to wait for on close.
   */
  private static final class ResultReader implements AutoCloseable {
    private final AtomicBoolean stop = new AtomicBoolean();
    private final Thread thread;
    private volatile long count;

    ResultReader(Map<String, Object> settings, String topic,
        Consumer<ConsumerRecord<byte[], Classification>> onResult) {
      Map<String, Object> config = new HashMap<>(settings);
      config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
      AvroDeserializer<Classification> values = AvroDeserializer.forClass(Classification.class);
      values.configure(config, false);
      KafkaConsumer<byte[], Classification> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(),
          values);
      List<TopicPartition> assigned = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
          .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
      consumer.assign(assigned);
      consumer.seekToBeginning(assigned);
      thread = new Thread(() -> {
        try (consumer) {
          while (!stop.get()) {
            for (ConsumerRecord<byte[], Classification> record : consumer.poll(Duration.ofMillis(20))) {
              onResult.accept(record);
              count++;
            }
          }
        }
      }, "bench-results");
      thread.start();
    }

    long count() {
      return count;
    }

    void stop() throws InterruptedException {
      stop.set(true);
      thread.join();
    }

    @Override
    public void close() throws InterruptedException {
      stop();
    }
  }
}
