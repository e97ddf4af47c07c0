package io.aepstreams.streams.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aepstreams.streams.config.AppConfig;
import io.aepstreams.streams.embedded.LocalCluster;
import io.aepstreams.streams.produce.ImageProducer;
import io.aepstreams.streams.topology.TinyBundle;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real {@code ./aep run} processes hit mid-stream while images keep coming, then started again as an orchestrator
 * would: every image must get exactly one committed answer and nothing good may be dead-lettered. One instance for
 * every stage, or a split deployment (stage 1 | stages 2-4) handing images over through the stage-2 topic. Each
 * test has topics of its own and prints its row of the fault table ({@code fault table: ...}).
 */
class FaultHarnessIT {
  private static final int IMAGES = 5_000;
  private static final double RATE = 250;
  private static final List<String> SINGLE = List.of("1-4");
  private static final List<String> SPLIT = List.of("1", "2-4");
  @TempDir static Path dir;
  static LocalCluster cluster;

  @BeforeAll
  static void start() throws Exception {
    cluster = LocalCluster.start(dir, 2);
  }

  @AfterAll
  static void stop() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  /** A fault: hits some of the running instances and says which to start again. */
  private interface Fault {
    List<Integer> hit(List<InstanceProcess> instances) throws Exception;
  }

  /** SIGTERM: the instance flushes, commits and leaves its group within its bound, and says so. */
  private static Fault sigterm(int... which) {
    return instances -> {
      List<Integer> hit = new ArrayList<>();
      for (int i : which) {
        InstanceProcess instance = instances.get(i);
        instance.terminate();
        long stopping = System.nanoTime();
        int exit = instance.waitFor(Duration.ofSeconds(40));
        double seconds = (System.nanoTime() - stopping) / 1e9;
        assertEquals(143, exit, "exit on SIGTERM after a clean close (128 + 15): " + instance.output());
        assertTrue(seconds < 28, "stopped in " + seconds + " s");
        assertTrue(instance.output().contains("stopped cleanly"), instance.output());
        hit.add(i);
      }
      return hit;
    };
  }

  /** SIGKILL: no flush, no commit; open transactions are aborted and their images answered again, once. */
  private static Fault sigkill(int... which) {
    return instances -> {
      List<Integer> hit = new ArrayList<>();
      for (int i : which) {
        instances.get(i).kill();
      }
      for (int i : which) {
        assertEquals(137, instances.get(i).waitFor(Duration.ofSeconds(10)), "killed (128 + 9)");
        hit.add(i);
      }
      return hit;
    };
  }

  /** The broker stops for 10 s and comes back: the instances ride it out, nobody restarts them. */
  private static Fault brokerOutage() {
    return instances -> {
      cluster.kafka.restart(Duration.ofSeconds(10));
      return List.of();
    };
  }

  @Test
  void brokerStopAndRestart() throws Exception {
    run("broker-restart", SPLIT, brokerOutage());
  }

  @Test
  void singleInstanceSigterm() throws Exception {
    run("single-sigterm", SINGLE, sigterm(0));
  }

  @Test
  void singleInstanceSigkill() throws Exception {
    run("single-sigkill", SINGLE, sigkill(0));
  }

  @Test
  void splitSigkillOfTheStageOneInstance() throws Exception {
    run("split-sigkill-edge", SPLIT, sigkill(0));
  }

  @Test
  void splitSigkillOfTheDeepInstance() throws Exception {
    run("split-sigkill-deep", SPLIT, sigkill(1));
  }

  @Test
  void splitSigkillOfBoth() throws Exception {
    run("split-sigkill-both", SPLIT, sigkill(0, 1));
  }

  @Test
  void splitSigtermOfEach() throws Exception {
    run("split-sigterm-edge", SPLIT, sigterm(0));
    run("split-sigterm-deep", SPLIT, sigterm(1));
  }

  private void run(String name, List<String> ranges, Fault fault) throws Exception {
    Map<String, String> settings = cluster.settings(name);
    // A killed member is noticed after this long, rather than Kafka's 45 s default.
    settings.put("session.timeout.ms", "10000");
    cluster.createTopics(settings, 2);
    AppConfig config = AppConfig.from(settings);
    ExecutorService sender = Executors.newSingleThreadExecutor();
    List<InstanceProcess> instances = new ArrayList<>();
    try (CommittedResults results = new CommittedResults(cluster.kafka.bootstrapServers(),
        cluster.registry.confluentUrl(), config.topics().classifications(), config.topics().dlq())) {
      for (int i = 0; i < ranges.size(); i++) {
        instances.add(start(name, ranges.get(i), settings, 0));
      }
      Map<String, Object> producerSettings = new HashMap<>(config.kafka());
      Future<?> sending = sender.submit(() -> {
        try (ImageProducer producer = new ImageProducer(producerSettings, config.topics().images())) {
          producer.send(TinyBundle.IMAGES, IMAGES, RATE, name + "-", sent -> { });
        }
        return null;
      });
      assertTrue(results.awaitAnswered(200, Duration.ofSeconds(90)), "the pipeline answers: " + output(instances));

      for (int i : fault.hit(instances)) {
        instances.set(i, start(name, ranges.get(i), settings, 1));
      }

      sending.get(60, TimeUnit.SECONDS);
      assertTrue(results.awaitAnswered(IMAGES, Duration.ofSeconds(120)), results.answers().size() + " answered; "
          + output(instances));
      long settle = System.nanoTime() + Duration.ofSeconds(3).toNanos();
      while (System.nanoTime() < settle) {
        results.poll(); // a duplicate would show up here
      }
      for (InstanceProcess instance : instances) {
        instance.terminate();
        assertEquals(143, instance.waitFor(Duration.ofSeconds(40)), instance.output());
      }
      long duplicated = results.answers().values().stream().filter(n -> n > 1).count();
      System.out.printf("fault table: %s | sent %d | answered %d | lost %d | duplicated %d | dead-lettered %d%n",
          name, IMAGES, results.answers().size(), IMAGES - results.answers().size(), duplicated,
          results.deadLettered());
      assertEquals(IMAGES, results.answers().size(), "every image answered");
      assertEquals(0, duplicated, "no image answered twice");
      assertEquals(0, results.deadLettered());
    } finally {
      sender.shutdownNow();
      instances.forEach(InstanceProcess::close);
    }
  }

  private static InstanceProcess start(String name, String range, Map<String, String> settings, int generation)
      throws Exception {
    Map<String, String> instance = new HashMap<>(settings);
    instance.put(AppConfig.STAGES, range);
    return InstanceProcess.start(dir.resolve(name + "-" + range + "-" + generation + ".log"), instance);
  }

  private static String output(List<InstanceProcess> instances) throws Exception {
    StringBuilder out = new StringBuilder();
    for (InstanceProcess instance : instances) {
      out.append(instance.output()).append('\n');
    }
    return out.toString();
  }
}
