package io.aepstreams.streams.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aepstreams.schemas.registry.ApicurioRegistry;
import io.aepstreams.streams.config.AppConfig;
import io.aepstreams.streams.embedded.EmbeddedKafka;
import io.aepstreams.streams.produce.ImageProducer;
import io.aepstreams.streams.topics.TopicAdmin;
import io.aepstreams.streams.topics.TopicPlan;
import io.aepstreams.streams.topology.TinyBundle;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
  static EmbeddedKafka kafka;
  static ApicurioRegistry registry;
  static TinyBundle bundle;

  @BeforeAll
  static void start() throws Exception {
    kafka = EmbeddedKafka.start();
    registry = ApicurioRegistry.start();
    bundle = TinyBundle.write(dir.resolve("tiny"));
  }

  @AfterAll
  static void stop() throws Exception {
    if (registry != null) {
      registry.close();
    }
    if (kafka != null) {
      kafka.close();
    }
  }

  private static Map<String, String> settings() {
    Map<String, String> settings = new HashMap<>();
    settings.put(AppConfig.MODEL, bundle.dir.toString());
    settings.put("bootstrap.servers", kafka.bootstrapServers());
    settings.put("schema.registry.url", registry.confluentUrl());
    settings.put("auto.offset.reset", "earliest");
    return settings;
  }

  @Test
  void sigtermMidStreamStopsCleanlyAndEveryImageIsAnsweredExactlyOnce() throws Exception {
    AppConfig config = AppConfig.from(settings());
    try (TopicAdmin admin = TopicAdmin.connect(config.kafka())) {
      assertEquals(List.of(), admin.create(TopicPlan.all(config, bundle.manifest), 2, Optional.of((short) 1)));
    }
    ExecutorService sender = Executors.newSingleThreadExecutor();
    try (CommittedResults results = new CommittedResults(kafka.bootstrapServers(), registry.confluentUrl(),
        config.topics().classifications(), config.topics().dlq());
        InstanceProcess first = InstanceProcess.start(dir.resolve("first.log"), settings())) {
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

      try (InstanceProcess second = InstanceProcess.start(dir.resolve("second.log"), settings())) {
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
