package io.aepstreams.streams.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aepstreams.streams.config.AppConfig;
import io.aepstreams.streams.embedded.LocalCluster;
import io.aepstreams.streams.produce.ImageProducer;
import io.aepstreams.streams.topology.TinyBundle;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
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
 * A real {@code ./aep run} process hit mid-stream, then a new one started in its place, while images keep coming:
 * every image must get exactly one committed answer and nothing good may be dead-lettered. Each test has topics of
 * its own; each prints its row of the fault table.
 */
class SingleInstanceFaultsIT {
  private static final int IMAGES = 3_000;
  private static final double RATE = 250;
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

  /** SIGTERM: the instance flushes, commits and leaves its group within its bound, and says so. */
  @Test
  void sigtermStopsCleanlyAndEveryImageIsAnsweredExactlyOnce() throws Exception {
    run("sigterm", instance -> {
      instance.terminate();
      long stopping = System.nanoTime();
      int exit = instance.waitFor(Duration.ofSeconds(40));
      double seconds = (System.nanoTime() - stopping) / 1e9;
      assertEquals(143, exit, "exit on SIGTERM after a clean close (128 + 15): " + instance.output());
      assertTrue(seconds < 28, "stopped in " + seconds + " s");
      assertTrue(instance.output().contains("stages 1-4 stopped cleanly"), instance.output());
    });
  }

  /** SIGKILL: no flush, no commit; the open transaction is aborted and its images answered again, once. */
  @Test
  void sigkillLosesNothingAndDuplicatesNothing() throws Exception {
    run("sigkill", instance -> {
      instance.kill();
      assertEquals(137, instance.waitFor(Duration.ofSeconds(10)), "killed (128 + 9)");
    });
  }

  private interface Fault {
    void hit(InstanceProcess instance) throws Exception;
  }

  private void run(String name, Fault fault) throws Exception {
    Map<String, String> settings = cluster.settings(name);
    cluster.createTopics(settings, 2);
    AppConfig config = AppConfig.from(settings);
    ExecutorService sender = Executors.newSingleThreadExecutor();
    try (CommittedResults results = new CommittedResults(cluster.kafka.bootstrapServers(),
        cluster.registry.confluentUrl(), config.topics().classifications(), config.topics().dlq());
        InstanceProcess first = InstanceProcess.start(dir.resolve(name + "-first.log"), settings)) {
      Map<String, Object> producerSettings = new HashMap<>(config.kafka());
      Future<?> sending = sender.submit(() -> {
        try (ImageProducer producer = new ImageProducer(producerSettings, config.topics().images())) {
          producer.send(TinyBundle.IMAGES, IMAGES, RATE, name + "-", sent -> { });
        }
        return null;
      });
      assertTrue(results.awaitAnswered(200, Duration.ofSeconds(90)), "the first instance answers: "
          + first.output());

      fault.hit(first);

      try (InstanceProcess second = InstanceProcess.start(dir.resolve(name + "-second.log"), settings)) {
        sending.get(60, TimeUnit.SECONDS);
        assertTrue(results.awaitAnswered(IMAGES, Duration.ofSeconds(120)), results.answers().size() + " answered; "
            + second.output());
        long settle = System.nanoTime() + Duration.ofSeconds(3).toNanos();
        while (System.nanoTime() < settle) {
          results.poll(); // a duplicate would show up here
        }
        second.terminate();
        assertEquals(143, second.waitFor(Duration.ofSeconds(40)), second.output());
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
    }
  }
}
