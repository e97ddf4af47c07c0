package io.aepstreams.streams.control;

import io.aepstreams.records.PointSetter;
import io.aepstreams.streams.config.Adaptation;
import io.aepstreams.streams.config.AppConfig;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Metrics;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The load controller at work in an instance that serves stage 1: every interval, while this instance leads (it
 * holds partition 0 of the images topic, so exactly one edge instance leads at a time and the lead moves with the
 * partition), it samples the pressure of every running stage range ({@link LoadProbe}), asks {@link LoadController}
 * for a point and publishes it on the control topic, from where every instance, this one included, applies it.
 * The edge decides because its exits are what relieve the deeper ranges; it sees them through their consumer
 * groups' lag, so a deep range that falls behind is seen without it having to say anything.
 */
public final class ControllerLoop implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ControllerLoop.class);
  private final PointInForce points;
  private final BooleanSupplier leads;
  private final LoadController controller;
  private final LoadProbe probe;
  private final ControlTopic control;
  private final ScheduledExecutorService timer;
  private volatile double lastWaitMs;

  public ControllerLoop(AppConfig config, PointInForce points, BooleanSupplier leads) {
    Adaptation adaptation = config.adaptation();
    this.points = points;
    this.leads = leads;
    this.controller = new LoadController(points.ladder(), adaptation.maxAccuracyLossPoints(),
        adaptation.latencyMs().orElseThrow(), adaptation.intervalMs());
    this.probe = new LoadProbe(config);
    this.control = new ControlTopic(config);
    Gauge.builder("aep.controller.wait.ms", this, c -> c.lastWaitMs)
        .description("the longest expected wait of an image before a stage range takes it, as the controller saw it")
        .strongReference(true).register(Metrics.globalRegistry);
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "aep-load-controller");
      t.setDaemon(true);
      return t;
    });
    timer.scheduleWithFixedDelay(this::tick, adaptation.intervalMs(), adaptation.intervalMs(), TimeUnit.MILLISECONDS);
    LOG.info("load controller on: objective {} ms, ceiling {} points below the full ensemble, every {} ms",
        adaptation.latencyMs().getAsLong(), adaptation.maxAccuracyLossPoints(), adaptation.intervalMs());
  }

  private void tick() {
    try {
      if (!leads.getAsBoolean()) {
        return;
      }
      long now = System.currentTimeMillis();
      Pressure pressure = probe.sample(now);
      lastWaitMs = pressure.waitMs();
      PointInForce.Applied current = points.current();
      Optional<LoadController.Step> step = controller.decide(pressure, current.index(), current.basePoint(), now);
      if (step.isPresent() && step.get().point() != current.index()) {
        control.publish(ControlTopic.record(points.manifest(), step.get().point(), current.basePoint(),
            PointSetter.CONTROLLER, step.get().reason()));
        LOG.info("operating point {} -> {}: {}", current.index(), step.get().point(), step.get().reason());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      // the next tick tries again; the point in force stays meanwhile
      LOG.warn("load controller: {}", e.toString());
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
    try {
      timer.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    probe.close();
    control.close();
  }
}
