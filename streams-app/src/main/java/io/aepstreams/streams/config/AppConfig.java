package io.aepstreams.streams.config;

import io.aepstreams.model.policy.Confidence;
import io.aepstreams.model.policy.ExitPolicy;
import io.aepstreams.schemas.registry.Secrets;
import io.aepstreams.streams.handoff.HandoffEncoding;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * What one instance does: which model, which stages, on which device, with which topics, exit policy and limits;
 * plus every other setting, passed through to Kafka Streams and its clients (bootstrap servers, security,
 * {@code schema.registry.url}, ...). Read from a properties file, then from environment variables
 * {@code AEP_CONFIG_<KEY>} ({@code _} for {@code .}, {@code __} for {@code -}: {@code AEP_CONFIG_BOOTSTRAP_SERVERS},
 * {@code AEP_CONFIG_AEP_STAGES}).
 *
 * @param stages the stage range this instance runs; empty means every stage of the bundle
 * @param policy an override of the bundle's exit policy; empty means the bundle's
 * @param batching how many images a stage runs at once, and how long the first of them may wait for the others
 * @param handoff how the images this instance hands on are encoded and compressed
 * @param adaptation the load controller's objective and ceiling, and the audit of early answers
 * @param threads stream threads and the engine's intra-op threads of each
 * @param httpPort where to serve health and metrics; empty means nowhere
 */
public record AppConfig(
    Path model,
    Optional<StageRange> stages,
    String device,
    Topics topics,
    Optional<ExitPolicy> policy,
    DecodeLimits limits,
    Batching batching,
    Handoff handoff,
    Adaptation adaptation,
    Threads threads,
    String applicationIdPrefix,
    String instance,
    Optional<Integer> httpPort,
    TopicSetup topicSetup,
    Map<String, Object> kafka) {

  /**
   * What an instance does when its topics are missing or too small: stop with a message (the default), or create
   * them with {@code partitions} partitions (the images topic's count where it exists).
   */
  public record TopicSetup(boolean create, Optional<Integer> partitions) {}

  public static final String MODEL = "aep.model";
  public static final String STAGES = "aep.stages";
  public static final String DEVICE = "aep.device";
  public static final String POLICY = "aep.policy";
  public static final String CONFIDENCE = "aep.confidence";
  public static final String TOPIC_IMAGES = "aep.topic.images";
  public static final String TOPIC_CLASSIFICATIONS = "aep.topic.classifications";
  public static final String TOPIC_STAGE_PREFIX = "aep.topic.stage-prefix";
  public static final String TOPIC_DLQ = "aep.topic.dlq";
  /** The compacted topic that carries the operating point in force per model version. */
  public static final String TOPIC_CONTROL = "aep.topic.control";
  public static final String MAX_PAYLOAD_BYTES = "aep.decode.max-payload-bytes";
  public static final String MAX_PIXELS = "aep.decode.max-pixels";
  /** Most images per forward pass; 1 runs each image on its own, as it arrives. */
  public static final String BATCH_MAX_SIZE = "aep.batch.max-size";
  /** Longest an image waits for its batch to fill, in milliseconds. */
  public static final String BATCH_MAX_DELAY_MS = "aep.batch.max-delay-ms";
  /**
   * The most a deeper stage of an instance waits for the images going on to refill its batch, in milliseconds;
   * 0: it runs what reaches it at once ({@link Batching#refillDelayMs}).
   */
  public static final String BATCH_REFILL_MAX_DELAY_MS = "aep.batch.refill-max-delay-ms";
  /** Refill delays of chosen deeper stages, {@code stage:ms} pairs ({@code 3:10,4:20}): they beat the derived ones. */
  public static final String BATCH_REFILL_DELAY_MS = "aep.batch.refill-delay-ms";
  /** float32, float16 or int8: how this instance encodes the tensors it hands on ({@link Handoff}). */
  public static final String HANDOFF_ENCODING = "aep.handoff.encoding";
  /** none, lz4, zstd, gzip or snappy: the compression of the stage topic it writes and of its producer. */
  public static final String HANDOFF_COMPRESSION = "aep.handoff.compression";
  /** Latency objective in milliseconds; set, the load controller steps along the operating points. */
  public static final String SLO_LATENCY_MS = "aep.slo.latency-ms";
  /** Most accuracy the controller may give up, in points below the full ensemble (validation). */
  public static final String SLO_MAX_ACCURACY_LOSS = "aep.slo.max-accuracy-loss";
  /** How often the controller looks at the load, in milliseconds. */
  public static final String SLO_INTERVAL_MS = "aep.slo.interval-ms";
  /** Share of images leaving early that also run to the last kept exit, to measure agreement; 0 (off) by default. */
  public static final String AUDIT_RATE = "aep.audit.rate";
  /**
   * Intra-op threads of the engine per forward pass; by default 1 on the CPU, with a stream thread per core, or the
   * cores over {@code num.stream.threads} where that is given, so that the stream threads together use every core
   * ({@link Threads}).
   */
  public static final String ENGINE_THREADS = "aep.engine.threads";
  /**
   * Whether forward passes run on threads of their own (one per stream thread), so that a stream thread polls,
   * decodes and commits while its last batch's pass runs ({@link Threads}).
   */
  public static final String PASS_THREADS = "aep.engine.pass-threads";
  public static final String APPLICATION_ID_PREFIX = "aep.application-id-prefix";
  public static final String INSTANCE = "aep.instance";
  /** Port for /health/live, /health/ready and /metrics (Prometheus); unset: no HTTP server. */
  public static final String HTTP_PORT = "aep.http.port";
  /** true: an instance creates its missing topics (and raises max.message.bytes) instead of stopping. */
  public static final String TOPICS_CREATE = "aep.topics.create";
  /** Partitions for topics created with {@link #TOPICS_CREATE} when the images topic does not exist yet. */
  public static final String TOPICS_PARTITIONS = "aep.topics.partitions";
  public static final String ENV_PREFIX = "AEP_CONFIG_";

  public AppConfig {
    kafka = Map.copyOf(kafka);
  }

  /** This configuration with another thread layout (the one fitted to the topics' partitions at start-up). */
  public AppConfig withThreads(Threads threads) {
    return new AppConfig(model, stages, device, topics, policy, limits, batching, handoff, adaptation, threads,
        applicationIdPrefix, instance, httpPort, topicSetup, kafka);
  }

  /** The Kafka settings a client takes ({@code names}: its config class's {@code configNames()}). */
  public static Map<String, Object> forClient(Map<String, Object> kafka, java.util.Set<String> names) {
    Map<String, Object> settings = new HashMap<>();
    kafka.forEach((key, value) -> {
      if (names.contains(key)) {
        settings.put(key, value);
      }
    });
    return settings;
  }

  /** Kafka settings with their secrets hidden (sasl.jaas.config, passwords, user info in URLs). */
  @Override
  public String toString() {
    return "AppConfig[model=" + model + ", stages=" + stages.map(Object::toString).orElse("all") + ", device="
        + device + ", topics=" + topics + ", policy=" + policy + ", limits=" + limits + ", batching=" + batching
        + ", handoff=" + handoff + ", adaptation=" + adaptation + ", threads=" + threads
        + ", applicationIdPrefix=" + applicationIdPrefix + ", instance=" + instance + ", httpPort=" + httpPort + ", topicSetup=" + topicSetup
        + ", kafka=" + Secrets.shown(kafka) + "]";
  }

  /** Reads the {@code aep.*} keys; every other key is a Kafka setting. */
  public static AppConfig from(Map<String, String> settings) {
    Map<String, Object> kafka = new LinkedHashMap<>();
    settings.forEach((key, value) -> {
      if (!key.startsWith("aep.")) {
        kafka.put(key, value);
      }
    });
    String model = settings.get(MODEL);
    if (model == null || model.isBlank()) {
      throw new IllegalArgumentException(MODEL + " is required: the model bundle (directory or .zip)");
    }
    Topics topics = new Topics(
        settings.getOrDefault(TOPIC_IMAGES, Topics.DEFAULT.images()),
        settings.getOrDefault(TOPIC_CLASSIFICATIONS, Topics.DEFAULT.classifications()),
        settings.getOrDefault(TOPIC_STAGE_PREFIX, Topics.DEFAULT.stagePrefix()),
        settings.getOrDefault(TOPIC_DLQ, Topics.DEFAULT.dlq()),
        settings.getOrDefault(TOPIC_CONTROL, Topics.DEFAULT.control()));
    DecodeLimits limits = new DecodeLimits(
        (int) number(settings, MAX_PAYLOAD_BYTES, DecodeLimits.DEFAULT.maxPayloadBytes()),
        number(settings, MAX_PIXELS, DecodeLimits.DEFAULT.maxPixels()));
    Optional<StageRange> stages = Optional.ofNullable(settings.get(STAGES)).filter(s -> !s.isBlank()
        && !s.equals("all")).map(StageRange::parse);
    return new AppConfig(Path.of(model), stages, settings.getOrDefault(DEVICE, "cpu"), topics,
        policy(settings.get(POLICY), settings.get(CONFIDENCE)), limits,
        batching(settings),
        handoff(settings), adaptation(settings), Threads.from(settings, Runtime.getRuntime().availableProcessors()),
        settings.getOrDefault(APPLICATION_ID_PREFIX, "aep-streams"),
        settings.getOrDefault(INSTANCE, hostName()),
        Optional.ofNullable(settings.get(HTTP_PORT)).filter(p -> !p.isBlank()).map(AppConfig::port),
        new TopicSetup(flag(settings, TOPICS_CREATE), Optional.ofNullable(settings.get(TOPICS_PARTITIONS))
            .filter(p -> !p.isBlank()).map(p -> (int) number(settings, TOPICS_PARTITIONS, 1))), kafka);
  }

  private static Batching batching(Map<String, String> settings) {
    int size = (int) number(settings, BATCH_MAX_SIZE, Batching.DEFAULT.maxSize());
    long delay = number(settings, BATCH_MAX_DELAY_MS, Batching.DEFAULT.maxDelayMs());
    String refill = settings.get(BATCH_REFILL_MAX_DELAY_MS);
    long cap;
    try {
      cap = refill == null || refill.isBlank() ? new Batching(size, delay).refillMaxDelayMs()
          : Long.parseLong(refill.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(BATCH_REFILL_MAX_DELAY_MS + " must be a whole number of milliseconds, got '"
          + refill + "'");
    }
    Map<Integer, Long> stages = new LinkedHashMap<>();
    String given = settings.get(BATCH_REFILL_DELAY_MS);
    if (given != null && !given.isBlank()) {
      for (String part : given.split(",")) {
        String[] kv = part.split(":");
        try {
          stages.put(Integer.parseInt(kv[0].strip()), Long.parseLong(kv[1].strip()));
        } catch (RuntimeException e) {
          throw new IllegalArgumentException(BATCH_REFILL_DELAY_MS + " must be stage:ms pairs like 3:10,4:20; got '"
              + given + "'");
        }
      }
    }
    return new Batching(size, delay, cap, stages);
  }

  private static Adaptation adaptation(Map<String, String> settings) {
    String latency = settings.get(SLO_LATENCY_MS);
    return new Adaptation(latency == null || latency.isBlank() ? java.util.OptionalLong.empty()
        : java.util.OptionalLong.of(number(settings, SLO_LATENCY_MS, 0)),
        share(settings, SLO_MAX_ACCURACY_LOSS, Adaptation.DEFAULT.maxAccuracyLossPoints()),
        number(settings, SLO_INTERVAL_MS, Adaptation.DEFAULT.intervalMs()),
        share(settings, AUDIT_RATE, Adaptation.DEFAULT.auditRate()));
  }

  private static double share(Map<String, String> settings, String key, double fallback) {
    String value = settings.get(key);
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      return Double.parseDouble(value.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " must be a number, got '" + value + "'");
    }
  }

  private static Handoff handoff(Map<String, String> settings) {
    String encoding = settings.get(HANDOFF_ENCODING);
    String compression = settings.get(HANDOFF_COMPRESSION);
    try {
      return new Handoff(encoding == null || encoding.isBlank() ? Handoff.DEFAULT.encoding()
          : HandoffEncoding.parse(encoding), compression == null || compression.isBlank()
          ? Handoff.DEFAULT.compression() : compression);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(e.getMessage().startsWith("aep.") ? e.getMessage()
          : HANDOFF_ENCODING + ": " + e.getMessage());
    }
  }

  /** A properties file overlaid with {@code AEP_CONFIG_*} environment variables. */
  public static Map<String, String> layered(Properties file, Map<String, String> environment) {
    Map<String, String> settings = new HashMap<>();
    file.stringPropertyNames().forEach(key -> settings.put(key, file.getProperty(key).strip()));
    environment.forEach((name, value) -> {
      if (name.startsWith(ENV_PREFIX) && name.length() > ENV_PREFIX.length()) {
        String key = name.substring(ENV_PREFIX.length()).toLowerCase(java.util.Locale.ROOT)
            .replace("__", "-").replace('_', '.');
        settings.put(key, value);
      }
    });
    return settings;
  }

  /** "bundle" (or unset): the bundle's own; "off": every stage for every image; "2:0.9,3:0.8": thresholds. */
  static Optional<ExitPolicy> policy(String text, String confidence) {
    Confidence measure;
    try {
      measure = confidence == null ? null : Confidence.valueOf(confidence.strip().toUpperCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(CONFIDENCE + " must be MAX_SOFTMAX, MARGIN or ENTROPY, got " + confidence);
    }
    if (text == null || text.isBlank() || text.strip().equals("bundle")) {
      return Optional.empty();
    }
    Confidence chosen = measure == null ? Confidence.MAX_SOFTMAX : measure;
    if (text.strip().equals("off")) {
      return Optional.of(ExitPolicy.off(chosen));
    }
    Map<Integer, Double> thresholds = new LinkedHashMap<>();
    for (String part : text.split(",")) {
      String[] kv = part.split(":");
      try {
        thresholds.put(Integer.parseInt(kv[0].strip()), Double.parseDouble(kv[1].strip()));
      } catch (RuntimeException e) {
        throw new IllegalArgumentException(POLICY + " must be bundle, off, or stage:threshold pairs like 1:0.9,2:0.8;"
            + " got '" + text + "'");
      }
    }
    return Optional.of(new ExitPolicy(chosen, thresholds));
  }

  private static boolean flag(Map<String, String> settings, String key) {
    return flag(settings, key, false);
  }

  /** A true/false setting; {@code fallback} where it is not given. */
  static boolean flag(Map<String, String> settings, String key, boolean fallback) {
    String given = settings.get(key);
    String value = given == null || given.isBlank() ? String.valueOf(fallback) : given.strip();
    if (!value.equals("true") && !value.equals("false")) {
      throw new IllegalArgumentException(key + " must be true or false, got '" + value + "'");
    }
    return Boolean.parseBoolean(value);
  }

  private static long number(Map<String, String> settings, String key, long fallback) {
    String value = settings.get(key);
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      long n = Long.parseLong(value.strip());
      if (n < 1) {
        throw new IllegalArgumentException(key + " must be positive, got " + value);
      }
      return n;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " must be a whole number, got '" + value + "'");
    }
  }

  private static int port(String text) {
    try {
      int port = Integer.parseInt(text.strip());
      if (port >= 0 && port <= 65535) {
        return port;
      }
    } catch (NumberFormatException e) {
      // fall through to the message
    }
    throw new IllegalArgumentException(HTTP_PORT + " must be a port number (0 for any free one), got '" + text + "'");
  }

  private static String hostName() {
    String host = System.getenv("HOSTNAME");
    return host == null || host.isBlank() ? "local" : host;
  }

  /** The Kafka Streams application id of this instance's stage range: one per range. */
  public String applicationId(StageRange range) {
    return applicationIdPrefix + "-stages-" + range.first() + "-" + range.last();
  }
}
