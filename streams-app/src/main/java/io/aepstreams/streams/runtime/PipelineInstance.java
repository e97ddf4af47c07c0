package io.aepstreams.streams.runtime;

import ai.djl.ndarray.NDManager;
import io.aepstreams.model.DeviceSpec;
import io.aepstreams.model.bundle.ModelBundle;
import io.aepstreams.model.bundle.StagedModel;
import io.aepstreams.streams.config.AppConfig;
import io.aepstreams.streams.config.StageRange;
import io.aepstreams.streams.control.ControllerLoop;
import io.aepstreams.streams.control.PointInForce;
import org.apache.kafka.common.TopicPartition;
import io.aepstreams.streams.redeploy.NewGroupCheck;
import io.aepstreams.streams.topics.InstanceTopics;
import io.aepstreams.streams.topology.AepTopology;
import io.aepstreams.streams.topology.StagePasses;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running instance: its stage range of the model loaded on its device, and the Kafka Streams application
 * that serves it. What {@code ./aep run} starts, and what the demo and the integration tests start too.
 */
public final class PipelineInstance implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PipelineInstance.class);

  private final NDManager manager;
  private final StagedModel model;
  private final KafkaStreams streams;
  private final StageRange range;
  private final HealthServer health;
  private final KafkaStreamsMetrics streamsMetrics;
  private final PrometheusMeterRegistry registry;
  private final CompletableFuture<KafkaStreams.State> failed;
  private final AtomicInteger replaced;
  private final PointInForce points;
  private final ControllerLoop controller;
  private final StagePasses passes;

  /** Failed stream threads replaced at most this often within the window, then the client shuts down. */
  static final int THREAD_REPLACEMENTS = 3;
  static final Duration THREAD_REPLACEMENT_WINDOW = Duration.ofMinutes(10);
  /** How long a stop may take: below Kubernetes' default 30 s grace period, so the pod is not killed first. */
  public static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(25);

  private PipelineInstance(NDManager manager, StagedModel model, KafkaStreams streams, StageRange range,
      HealthServer health, KafkaStreamsMetrics streamsMetrics, PrometheusMeterRegistry registry,
      CompletableFuture<KafkaStreams.State> failed, AtomicInteger replaced, PointInForce points,
      ControllerLoop controller, StagePasses passes) {
    this.manager = manager;
    this.model = model;
    this.streams = streams;
    this.range = range;
    this.health = health;
    this.streamsMetrics = streamsMetrics;
    this.registry = registry;
    this.failed = failed;
    this.replaced = replaced;
    this.points = points;
    this.controller = controller;
    this.passes = passes;
  }

  /** Loads the model's stages for {@code config} and starts serving them. */
  public static PipelineInstance start(AppConfig given) {
    ModelBundle bundle = ModelBundle.open(given.model());
    StageRange range = AepTopology.range(given, bundle.manifest());
    int partitions = InstanceTopics.ensure(given, bundle.manifest(), range);
    AppConfig config = given.withThreads(given.threads().forPartitions(partitions));
    NewGroupCheck.check(config, range);
    // before the manager: making it loads the engine, which reads its thread count once
    config.threads().applyToEngine();
    NDManager manager = NDManager.newBaseManager(DeviceSpec.parse(config.device()));
    StagedModel model = null;
    PrometheusMeterRegistry registry = null;
    ControllerLoop controller = null;
    StagePasses passes = StagePasses.INLINE;
    try {
      if (config.httpPort().isPresent()) {
        // Added before the topology is built: building it makes the processors, and with them the meters.
        registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        // Kafka Streams' own metrics already carry application_id: tag ours apart from it
        registry.config().commonTags("aep_stages", range.toString(), "aep_instance", config.instance());
        Metrics.addRegistry(registry);
      }
      model = new StagedModel(bundle, range.first(), range.last(), manager);
      PointInForce points = AepTopology.pointInForce(config, bundle.manifest());
      if (registry != null) {
        points.withMeters();
      }
      passes = config.threads().passThreads()
          ? StagePasses.overlapped(config.threads().streamThreads()) : StagePasses.INLINE;
      Topology topology = AepTopology.build(config, model, manager, points, passes);
      KafkaStreams streams = new KafkaStreams(topology,
          AepTopology.streamsProperties(config, range, bundle.manifest()));
      ThreadReplacementBudget budget = new ThreadReplacementBudget(THREAD_REPLACEMENTS, THREAD_REPLACEMENT_WINDOW);
      AtomicInteger replaced = new AtomicInteger();
      streams.setUncaughtExceptionHandler(e -> {
        StreamThreadExceptionResponse response = budget.onFailure();
        if (response == StreamThreadExceptionResponse.REPLACE_THREAD) {
          replaced.incrementAndGet();
          LOG.error("stream thread failed; replacing it", e);
        } else {
          LOG.error("stream thread failed again ({} replacements within {}): shutting the instance down without "
              + "committing, to be restarted", THREAD_REPLACEMENTS, THREAD_REPLACEMENT_WINDOW, e);
        }
        return response;
      });
      CompletableFuture<KafkaStreams.State> failed = new CompletableFuture<>();
      streams.setStateListener((now, before) -> {
        if (now == KafkaStreams.State.ERROR || now == KafkaStreams.State.PENDING_ERROR) {
          failed.complete(now);
        }
      });
      HealthServer health = null;
      KafkaStreamsMetrics streamsMetrics = null;
      if (registry != null) {
        streamsMetrics = new KafkaStreamsMetrics(streams);
        streamsMetrics.bindTo(registry);
        // 1 while RUNNING: what /health/ready answers, as a series an alert can watch (aep_instance_ready)
        Gauge.builder("aep.instance.ready", streams, s -> s.state() == KafkaStreams.State.RUNNING ? 1 : 0)
            .description("1 while the instance is running with its partitions assigned").register(registry);
        health = new HealthServer(config.httpPort().get(), streams::state, registry);
        LOG.info("health and metrics on port {}: /health/live, /health/ready, /metrics", health.port());
      }
      // Made before the streams start, so that a controller that cannot be made leaves nothing running; it does
      // nothing until the instance runs and leads.
      if (config.adaptation().adapts() && range.first() == 1 && !points.ladder().isEmpty()) {
        String images = config.topics().images();
        controller = new ControllerLoop(config, points, () -> leads(streams, images));
      } else if (config.adaptation().adapts() && range.first() == 1) {
        LOG.warn("{} is set, but bundle {} has no operating points to move along: the load controller is off",
            AppConfig.SLO_LATENCY_MS, bundle.manifest().name());
      }
      streams.start();
      LOG.info("serving stages {} of {} {} on {} as {}; {}", range, bundle.manifest().name(),
          bundle.manifest().version(), config.device(), config.applicationId(range), config.threads().describe());
      return new PipelineInstance(manager, model, streams, range, health, streamsMetrics, registry, failed,
          replaced, points, controller, passes);
    } catch (RuntimeException e) {
      if (controller != null) {
        controller.close();
      }
      if (registry != null) {
        Metrics.removeRegistry(registry);
        registry.close();
      }
      passes.close();
      if (model != null) {
        model.close();
      }
      manager.close();
      throw e;
    }
  }

  /**
   * Whether this instance leads the load controller: it holds partition 0 of the images topic as an active task,
   * which one instance of the edge does at a time.
   */
  private static boolean leads(KafkaStreams streams, String imagesTopic) {
    if (streams.state() != KafkaStreams.State.RUNNING) {
      return false;
    }
    TopicPartition first = new TopicPartition(imagesTopic, 0);
    return streams.metadataForLocalThreads().stream().flatMap(t -> t.activeTasks().stream())
        .anyMatch(task -> task.topicPartitions().contains(first));
  }

  /** The operating point this instance decides with now. */
  public PointInForce points() {
    return points;
  }

  /** How many failed stream threads this instance has replaced. */
  public int replacedThreads() {
    return replaced.get();
  }

  public StageRange range() {
    return range;
  }

  /** The stream threads Kafka Streams runs for this instance now. */
  public int streamThreads() {
    return streams.metadataForLocalThreads().size();
  }

  public KafkaStreams.State state() {
    return streams.state();
  }

  /** Waits until the instance is running (partitions assigned), or fails after {@code limit}. */
  public void awaitRunning(Duration limit) throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (streams.state() != KafkaStreams.State.RUNNING) {
      if (System.nanoTime() > deadline || !streams.state().isRunningOrRebalancing()
          && streams.state() != KafkaStreams.State.CREATED) {
        throw new IllegalStateException("instance for stages " + range + " is " + streams.state() + " after " + limit);
      }
      Thread.sleep(100);
    }
  }

  /** The port health and metrics are served on, or -1. */
  public int httpPort() {
    return health == null ? -1 : health.port();
  }

  /** Completes when the Kafka Streams client fails for good (state ERROR): the process should then exit. */
  public CompletableFuture<KafkaStreams.State> failure() {
    return failed;
  }

  @Override
  public void close() {
    close(CLOSE_TIMEOUT);
  }

  /**
   * Stops within {@code timeout}: Kafka Streams flushes, commits and leaves its group. Returns false when it did not
   * finish in time; the model is then left loaded, since a stream thread may still be inside it.
   */
  public boolean close(Duration timeout) {
    if (controller != null) {
      controller.close();
    }
    if (health != null) {
      health.close();
      streamsMetrics.close();
      Metrics.removeRegistry(registry);
      registry.close();
    }
    if (!streams.close(CloseOptions.timeout(timeout)
        .withGroupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP))) {
      LOG.error("stages {} did not stop within {}: leaving the model loaded, since a stream thread may be using it",
          range, timeout);
      return false;
    }
    // a pass a stream thread left running still uses the model
    if (!passes.close(timeout)) {
      LOG.error("stages {}: a forward pass did not end within {}: leaving the model loaded", range, timeout);
      return false;
    }
    model.close();
    manager.close();
    return true;
  }
}
