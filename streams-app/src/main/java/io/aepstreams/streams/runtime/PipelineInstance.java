package io.aepstreams.streams.runtime;

import ai.djl.ndarray.NDManager;
import io.aepstreams.model.DeviceSpec;
import io.aepstreams.model.bundle.ModelBundle;
import io.aepstreams.model.bundle.StagedModel;
import io.aepstreams.streams.config.AppConfig;
import io.aepstreams.streams.config.StageRange;
import io.aepstreams.streams.topology.AepTopology;
import java.time.Duration;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;
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

  private PipelineInstance(NDManager manager, StagedModel model, KafkaStreams streams, StageRange range) {
    this.manager = manager;
    this.model = model;
    this.streams = streams;
    this.range = range;
  }

  /** Loads the model's stages for {@code config} and starts serving them. */
  public static PipelineInstance start(AppConfig config) {
    ModelBundle bundle = ModelBundle.open(config.model());
    StageRange range = AepTopology.range(config, bundle.manifest());
    NDManager manager = NDManager.newBaseManager(DeviceSpec.parse(config.device()));
    StagedModel model = null;
    try {
      model = new StagedModel(bundle, range.first(), range.last(), manager);
      Topology topology = AepTopology.build(config, model, manager);
      KafkaStreams streams = new KafkaStreams(topology,
          AepTopology.streamsProperties(config, range, bundle.manifest()));
      streams.setUncaughtExceptionHandler(e -> {
        LOG.error("stream thread failed; replacing it", e);
        return org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse
            .REPLACE_THREAD;
      });
      streams.start();
      LOG.info("serving stages {} of {} {} on {} as {}", range, bundle.manifest().name(), bundle.manifest().version(),
          config.device(), config.applicationId(range));
      return new PipelineInstance(manager, model, streams, range);
    } catch (RuntimeException e) {
      if (model != null) {
        model.close();
      }
      manager.close();
      throw e;
    }
  }

  public StageRange range() {
    return range;
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

  @Override
  public void close() {
    streams.close(Duration.ofSeconds(30));
    model.close();
    manager.close();
  }
}
