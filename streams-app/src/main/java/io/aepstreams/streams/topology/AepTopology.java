package io.aepstreams.streams.topology;

import ai.djl.ndarray.NDManager;
import io.aepstreams.model.bundle.Manifest;
import io.aepstreams.model.bundle.StagedModel;
import io.aepstreams.records.ExitControl;
import io.aepstreams.streams.control.ControlUpdates;
import io.aepstreams.streams.control.PointInForce;
import io.aepstreams.records.Classification;
import io.aepstreams.records.ImageRecord;
import io.aepstreams.records.PartialInference;
import io.aepstreams.schemas.wire.AvroSerde;
import io.aepstreams.streams.config.AppConfig;
import io.aepstreams.streams.config.Batching;
import io.aepstreams.streams.config.StageRange;
import io.aepstreams.streams.decode.ImageDecoder;
import io.aepstreams.streams.dlq.DeadLetterHandlers;
import io.aepstreams.streams.topics.TopicNeed;
import io.aepstreams.streams.topics.TopicPlan;
import io.aepstreams.schemas.registry.SchemaRegistryConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.function.UnaryOperator;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;

/**
 * The topology of one instance (docs/design.md §5), built by a plain method so that tests build exactly what runs:
 *
 * <pre>
 * images -> decode -> batch -> stage 1 -> refill -> stage 2 -> ... -> refill -> stage n
 *                                 |decided             |decided                    |decided
 *                                 v                    v                           v
 *                                 results ---------------------------------------------> classifications
 * </pre>
 *
 * Every edge after {@code batch} carries a {@link Batch}: a stage passes on the images its exit did not let out,
 * and the next stage's {@code refill} may hold them for a while to run them with the next ones (failures go to the
 * dead-letter queue).
 * An instance that starts after stage 1 reads {@code aep.stage-k} ({@code handoff-in -> resume -> batch}) instead
 * of images; one that ends before the bundle's last stage sends what goes on from its last stage to
 * {@code handoff -> aep.stage-(last+1)}.
 */
public final class AepTopology {
  /**
   * How often an instance commits, and so, under exactly-once, makes its results visible: a floor on end-to-end
   * latency, paid once per instance an image passes through. 30 ms rather than Kafka Streams' 100 keeps p99 under
   * 100 ms on one instance (docs/results/throughput.md); the extra transactions did not measurably cost throughput.
   */
  public static final int COMMIT_INTERVAL_MS = 30;
  /**
   * The registry client's limits inside the stream: one call, its retries included, ends within about 9 s, inside
   * the 10 s a transaction may stay open under exactly-once (a longer call would have the broker abort the
   * transaction under it, and the work be done again). A registry that does not answer by then fails the task, to
   * be tried again.
   */
  static final Map<String, Object> REGISTRY_IN_A_TRANSACTION = Map.of(
      SchemaRegistryConfig.CONNECT_TIMEOUT_MS, 2_000,
      SchemaRegistryConfig.REQUEST_TIMEOUT_MS, 3_000,
      SchemaRegistryConfig.MAX_RETRIES, 2,
      SchemaRegistryConfig.RETRY_BACKOFF_MS, 100);
  /**
   * How long a member may stay silent before its partitions go to another: a killed instance's images wait this
   * long (Kafka's default is 45 s). Heartbeats go every third of it.
   */
  static final int SESSION_TIMEOUT_MS = 10_000;
  /** The longest a poll blocks where passes run off the stream thread (Kafka Streams' default: 100 ms). */
  static final long PASS_POLL_MS = 2;
  public static final String IMAGES_SOURCE = "images";
  public static final String DECODE = "decode";
  public static final String HANDOFF_SOURCE = "handoff-in";
  public static final String RESUME = "resume";
  public static final String BATCH = "batch";
  public static final String RESULTS = "results";
  public static final String HANDOFF = "handoff";
  public static final String CLASSIFICATIONS_SINK = "classifications";
  public static final String HANDOFF_SINK = "handoff-out";
  public static final String AUDIT = "audit";
  public static final String CONTROL_SOURCE = "control-in";
  public static final String CONTROL = "control";

  private AepTopology() {}

  /** The stage range {@code config} asks for, checked against the bundle: every stage if none is given. */
  public static StageRange range(AppConfig config, Manifest manifest) {
    int deepest = manifest.stages().size();
    StageRange range = config.stages().orElse(new StageRange(1, deepest));
    if (range.last() > deepest) {
      throw new IllegalArgumentException("stages " + range + " asked for, but model " + manifest.name() + " has "
          + "stages 1-" + deepest);
    }
    return range;
  }

  public static String stageNode(int stage) {
    return "stage-" + stage;
  }

  /** The node before a stage deeper than the first of its range, where the images going on refill its batch. */
  public static String refillNode(int stage) {
    return "refill-" + stage;
  }

  /** The store that keeps the images waiting for a batch into {@code stage} (its changelog is an internal topic). */
  public static String batchStore(int stage) {
    return "waiting-for-stage-" + stage;
  }

  /**
   * The topology for {@code model}'s loaded stages. {@code manager} is the parent of the per-batch managers; the
   * model's blocks are shared by every task (inference only reads parameters).
   */
  public static Topology build(AppConfig config, StagedModel model, NDManager manager) {
    return build(config, model, manager, pointInForce(config, model.manifest()));
  }

  /**
   * As above, deciding with {@code points}: the instance's point in force, which the control topic moves and the
   * load controller and the metrics read.
   */
  public static Topology build(AppConfig config, StagedModel model, NDManager manager, PointInForce points) {
    return build(config, model, manager, points, StagePasses.INLINE);
  }

  /** As above, the forward passes running where {@code passes} says (the instance closes it after the streams). */
  public static Topology build(AppConfig config, StagedModel model, NDManager manager, PointInForce points,
      StagePasses passes) {
    return build(config, model, manager, points, passes, UnaryOperator.identity());
  }

  /** Where an instance of {@code manifest} starts: the bundle's point, or the thresholds aep.policy gives. */
  public static PointInForce pointInForce(AppConfig config, Manifest manifest) {
    return PointInForce.of(manifest, config.policy());
  }

  /**
   * As {@link #build(AppConfig, StagedModel, NDManager)}, each stage's compute passed through {@code stages}:
   * where the tests make a stage fail for chosen images, to see each image of a failed batch accounted for.
   */
  static Topology build(AppConfig config, StagedModel model, NDManager manager, PointInForce points,
      StagePasses passes, UnaryOperator<StageRunner> stages) {
    Manifest manifest = model.manifest();
    StageRange range = new StageRange(model.first(), model.last());
    AuditSampler audit = new AuditSampler(config.adaptation().auditRate());
    boolean lastOfBundle = range.last() == manifest.stages().size();
    boolean handsOff = range.last() < manifest.stages().size();
    List<TopicNeed> topics = TopicPlan.forInstance(config, manifest, range);

    Topology topology = new Topology();
    ImageDecoder decoder = new ImageDecoder(manifest.input(), config.limits());
    String entry;
    String inputTopic;
    if (range.first() == 1) {
      inputTopic = config.topics().images();
      AvroSerde<ImageRecord> images = serde(ImageRecord.class, config);
      topology.addSource(IMAGES_SOURCE, Serdes.ByteArray().deserializer(), images.deserializer(), inputTopic);
      topology.addProcessor(DECODE, () -> new DecodeProcessor(decoder, manifest.input()), IMAGES_SOURCE);
      entry = DECODE;
    } else {
      inputTopic = config.topics().stage(range.first());
      AvroSerde<PartialInference> handoff = serde(PartialInference.class, config);
      topology.addSource(HANDOFF_SOURCE, Serdes.ByteArray().deserializer(), handoff.deserializer(), inputTopic);
      topology.addProcessor(RESUME, () -> new HandoffReader(manifest, range.first()), HANDOFF_SOURCE);
      entry = RESUME;
    }
    Batching batching = config.batching();
    String store = batchStore(range.first());
    boolean storesEveryImage = passes.overlaps();
    topology.addProcessor(BATCH, () -> new BatchCollector(batching, manifest, range.first(), store, decoder,
        inputTopic, storesEveryImage), entry);
    // Whatever the batch size: a change of it must not change the topology, or the images an earlier run left
    // waiting would never come back.
    topology.addStateStore(waitingStore(store, config, manifest, range), BATCH);
    String[] stageNodes = new String[range.last() - range.first() + 1];
    String parent = BATCH;
    for (int stage = range.first(); stage <= range.last(); stage++) {
      int s = stage;
      if (stage > range.first()) {
        // whatever the delay, so that a change of it changes no topology (0: it passes batches straight on)
        int keySpace = stage - range.first();
        topology.addProcessor(refillNode(stage), () -> new RefillCollector(batching, points, manifest, s, keySpace,
            store, inputTopic, storesEveryImage), parent);
        topology.connectProcessorAndStateStores(refillNode(stage), store);
        parent = refillNode(stage);
      }
      Optional<String> onward = stage < range.last() ? Optional.of(refillNode(stage + 1))
          : handsOff ? Optional.of(HANDOFF) : Optional.empty();
      Optional<String> audits = s == manifest.stages().size() ? Optional.of(AUDIT) : Optional.empty();
      topology.addProcessor(stageNode(stage), () -> new StageProcessor(
          stages.apply(new StageRunner(s, model, points, audit, config.instance())), RESULTS, onward, audits,
          manager, inputTopic, store, passes), parent);
      // the stage forgets its batch's images in the store once their outcome has gone on
      topology.connectProcessorAndStateStores(stageNode(stage), store);
      stageNodes[stage - range.first()] = stageNode(stage);
      parent = stageNode(stage);
    }
    TopicNeed classifications = need(topics, config.topics().classifications());
    if (lastOfBundle) {
      topology.addProcessor(AUDIT, AuditRecorder::new, stageNode(range.last()));
    }
    // Every instance reads the whole control topic (a global store), so each one follows the point in force.
    topology.addGlobalStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(ControlUpdates.STORE),
            Serdes.String(), Serdes.ByteArray()).withLoggingDisabled(), CONTROL_SOURCE, Serdes.String().deserializer(),
        Serdes.ByteArray().deserializer(), config.topics().control(), CONTROL,
        () -> new ControlUpdates(points, serde(ExitControl.class, config).deserializer(), config.topics().control()));
    topology.addProcessor(RESULTS, () -> new ResultWriter(manifest, points.current().policy().confidence(),
        new TopicWriter<>(classifications, serde(Classification.class, config).serializer()), inputTopic),
        stageNodes);
    topology.addSink(CLASSIFICATIONS_SINK, classifications.name(), Serdes.ByteArray().serializer(),
        Serdes.ByteArray().serializer(), RESULTS);
    if (handsOff) {
      int next = range.last() + 1;
      TopicNeed handoff = need(topics, config.topics().stage(next));
      topology.addProcessor(HANDOFF, () -> new HandoffWriter(manifest, next, config.handoff().encoding(),
          new TopicWriter<>(handoff, serde(PartialInference.class, config).serializer()), inputTopic),
          stageNode(range.last()));
      topology.addSink(HANDOFF_SINK, handoff.name(), Serdes.ByteArray().serializer(), Serdes.ByteArray().serializer(),
          HANDOFF);
    }
    return topology;
  }

  private static TopicNeed need(List<TopicNeed> topics, String name) {
    return topics.stream().filter(t -> t.name().equals(name)).findFirst()
        .orElseThrow(() -> new IllegalStateException("the topic plan has no " + name));
  }

  /** The changelog Kafka Streams keeps for the instance's waiting images: named from its application id. */
  public static String changelog(AppConfig config, StageRange range) {
    return config.applicationId(range) + "-" + batchStore(range.first()) + "-changelog";
  }

  /**
   * An in-memory store with a changelog (restored on start, never read back from disk), cached so that an image
   * that arrives and leaves between two commits costs the changelog only a tombstone; its records take what the
   * instance's input topic takes, since images wait there as they came ({@link TopicPlan#waitingImages}).
   */
  private static StoreBuilder<KeyValueStore<Long, byte[]>> waitingStore(String name, AppConfig config,
      Manifest manifest, StageRange range) {
    long largest = TopicPlan.waitingImages(config, manifest, range.first(), changelog(config, range))
        .maxMessageBytes();
    Map<String, String> changelog = largest > TopicNeed.KAFKA_DEFAULT_MAX_MESSAGE_BYTES
        ? Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, String.valueOf(largest)) : Map.of();
    return Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name), Serdes.Long(), Serdes.ByteArray())
        .withCachingEnabled()
        .withLoggingEnabled(changelog);
  }

  /**
   * Kafka Streams settings for this instance: its application id (one per stage range), the dead-letter queue and
   * its handlers, a producer request size that fits the largest record it writes (a hand-off tensor, or a dead
   * letter, which carries a failed record whole), then every Kafka setting from the configuration, which may
   * override any of these. The topics' {@code max.message.bytes} come from the same plan ({@code ./aep topics}).
   */
  public static Properties streamsProperties(AppConfig config, StageRange range, Manifest manifest) {
    Properties props = streamsProperties(config, range);
    List<TopicNeed> topics = TopicPlan.forInstance(config, manifest, range);
    List<TopicNeed> written = new ArrayList<>(topics.subList(1, topics.size()));
    written.add(TopicPlan.waitingImages(config, manifest, range.first(), changelog(config, range)));
    long largest = written.stream().mapToLong(TopicNeed::maxMessageBytes).max().orElse(0);
    // The producer compresses what this instance writes, hand-offs with the rest (one producer serves every topic),
    // in the codec its stage topic is created with, so that the broker keeps the batches as they came.
    if (range.last() < manifest.stages().size() && config.handoff().compresses()) {
      setUnlessGiven(props, StreamsConfig.producerPrefix(""), ProducerConfig.COMPRESSION_TYPE_CONFIG,
          config.handoff().compression());
    }
    if (largest > TopicNeed.KAFKA_DEFAULT_MAX_MESSAGE_BYTES) {
      setUnlessGiven(props, StreamsConfig.producerPrefix(""), ProducerConfig.MAX_REQUEST_SIZE_CONFIG, (int) largest);
    }
    // A batch of the largest records: fetched in one go (Kafka's 1 MiB per partition would bring camera frames one
    // by one), and buffered by the producer twice over (the waiting store's changelog takes every frame that waits
    // across a commit, its hand-offs follow). Ceilings only: neither buffer is taken before records fill it.
    long batchIn = (long) config.batching().maxSize() * topics.get(0).maxMessageBytes();
    long perPartition = Math.min(MAX_FETCH_PER_PARTITION, Math.max(DEFAULT_FETCH_PER_PARTITION, batchIn));
    setUnlessGiven(props, StreamsConfig.consumerPrefix(""), ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG,
        (int) perPartition);
    setUnlessGiven(props, StreamsConfig.consumerPrefix(""), ConsumerConfig.FETCH_MAX_BYTES_CONFIG,
        (int) Math.max(ConsumerConfig.DEFAULT_FETCH_MAX_BYTES, perPartition));
    long batchOut = 2L * config.batching().maxSize() * largest;
    setUnlessGiven(props, StreamsConfig.producerPrefix(""), ProducerConfig.BUFFER_MEMORY_CONFIG,
        Math.min(MAX_PRODUCER_BUFFER, Math.max(DEFAULT_PRODUCER_BUFFER, batchOut)));
    return props;
  }

  private static final long DEFAULT_FETCH_PER_PARTITION = ConsumerConfig.DEFAULT_MAX_PARTITION_FETCH_BYTES;
  private static final long MAX_FETCH_PER_PARTITION = 64L << 20;
  private static final long DEFAULT_PRODUCER_BUFFER = 32L << 20;
  private static final long MAX_PRODUCER_BUFFER = 256L << 20;

  /**
   * Sets {@code prefix + key} unless the settings give {@code key} either way: Kafka Streams lets a prefixed key win
   * over a plain one, so setting the prefixed one would override the user's plain setting.
   */
  private static void setUnlessGiven(Properties props, String prefix, String key, Object value) {
    if (!props.containsKey(key) && !props.containsKey(prefix + key)) {
      props.put(prefix + key, value);
    }
  }

  /** The settings that do not depend on the model (see the overload with a manifest). */
  public static Properties streamsProperties(AppConfig config, StageRange range) {
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId(range));
    props.put(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, config.topics().dlq());
    props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
        DeadLetterHandlers.Deserialization.class.getName());
    props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterHandlers.Processing.class.getName());
    props.put(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterHandlers.Production.class.getName());
    props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
    // Kafka Streams 4.4 builds a second StreamsConfig for the partition assignor out of the main consumer's
    // settings, and that one warns when the flag is missing: hand it the flag too.
    props.put(StreamsConfig.mainConsumerPrefix(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG), true);
    // Every image gets exactly one answer: results, hand-offs and input offsets commit in one transaction, so a
    // crash or a rebalance neither loses nor repeats a result. at_least_once stays available as a setting.
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    // Under exactly-once a result is visible to read_committed readers only once its transaction commits, so the
    // commit interval is a floor on end-to-end latency.
    props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, COMMIT_INTERVAL_MS);
    if (config.batching().waits()) {
      // A waiting batch is released by a wall-clock punctuation, which runs between polls: a poll must not block
      // longer than a batch may wait.
      props.put(StreamsConfig.POLL_MS_CONFIG, Math.min(100, config.batching().maxDelayMs()));
    }
    if (config.threads().passThreads()) {
      // A pass that ends while the thread blocks in a poll goes on at the punctuation after it: the poll's limit is
      // added to the latency of every batch that ends while no record arrives.
      props.put(StreamsConfig.POLL_MS_CONFIG, Math.min((long) props.getOrDefault(StreamsConfig.POLL_MS_CONFIG, 100L),
          PASS_POLL_MS));
    }
    props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, config.threads().streamThreads());
    props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, SESSION_TIMEOUT_MS);
    props.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, SESSION_TIMEOUT_MS / 3);
    // The dead-letter handlers serialise failed images' records with the same registry limits.
    props.putAll(REGISTRY_IN_A_TRANSACTION);
    props.putAll(config.kafka());
    return props;
  }

  private static <T extends org.apache.avro.specific.SpecificRecord> AvroSerde<T> serde(Class<T> type,
      AppConfig config) {
    AvroSerde<T> serde = new AvroSerde<>(type);
    Map<String, Object> settings = new HashMap<>(REGISTRY_IN_A_TRANSACTION);
    settings.putAll(config.kafka());
    serde.configure(settings, false);
    return serde;
  }
}
