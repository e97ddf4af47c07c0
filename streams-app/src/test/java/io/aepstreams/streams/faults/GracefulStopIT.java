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
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real {@code ./aep run} process stopped with SIGTERM mid-stream: it flushes, commits and leaves its group within
 * its bound, and the instance that takes over answers the rest: every image exactly once, nothing dead-lettered.
 */
class GracefulStopIT {
  private static final int IMAGES = 3_000;
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

  @Test
  void sigtermMidStreamStopsCleanlyAndEveryImageIsAnsweredExactlyOnce() throws Exception {
    AppConfig config = AppConfig.from(cluster.settings());
    ExecutorService sender = Executors.newSingleThreadExecutor();
    try (CommittedResults results = new CommittedResults(cluster.kafka.bootstrapServers(),
        cluster.registry.confluentUrl(),
        config.topics().classifications(), config.topics().dlq());
        InstanceProcess first = InstanceProcess.start(dir.resolve("first.log"), cluster.settings())) {
      Map<String, Object> producerSettings = new HashMap<>(config.kafka());
      Future<?> sending = sender.submit(() -> {
        try (ImageProducer producer = new ImageProducer(producerSettings, config.topics().images())) {
          producer.send(TinyBundle.IMAGES, IMAGES, 250, "sigterm-", sent -> { });
        }
        return null;
      });
      assertTrue(results.awaitAnswered(200, Duration.ofSeconds(90)), "the first instance answers: "
          + first.output());

      first.terminate();
      long stopping = System.nanoTime();
      int exit = first.waitFor(Duration.ofSeconds(40));
      double seconds = (System.nanoTime() - stopping) / 1e9;
      String output = first.output();
      assertEquals(143, exit, "exit on SIGTERM after a clean close (128 + 15): " + output);
      assertTrue(seconds < 28, "stopped in " + seconds + " s");
      assertTrue(output.contains("stages 1-4 stopped cleanly"), output);

      try (InstanceProcess second = InstanceProcess.start(dir.resolve("second.log"), cluster.settings())) {
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
      Map<Integer, Long> timesAnswered = results.answers().values().stream()
          .collect(Collectors.groupingBy(n -> n, Collectors.counting()));
      assertEquals(Map.of(1, (long) IMAGES), timesAnswered, "images per number of answers");
      assertEquals(0, results.deadLettered());
    } finally {
      sender.shutdownNow();
    }
  }
}
