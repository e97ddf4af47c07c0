package io.aepstreams.streams.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aepstreams.streams.config.AppConfig;
import io.aepstreams.streams.config.StageRange;
import io.aepstreams.streams.embedded.LocalCluster;
import io.aepstreams.streams.produce.ImageProducer;
import io.aepstreams.streams.topology.TinyBundle;
import java.net.URI;
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
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real {@code ./aep run} processes hit mid-stream while images keep coming, then started again as an orchestrator
 * would: every image must get exactly one committed answer and nothing good may be dead-lettered. One instance for
 * every stage, or a split deployment (stage 1 | stages 2-4) handing images over through the stage-2 topic. Each
 * test has topics of its own and prints its row of the fault table ({@code fault table: ...}).
 */
@Tag("fault-harness")
class FaultHarnessIT {
  private static final int IMAGES = 5_000;
  private static final double RATE = 250;
  private static final List<String> SINGLE = List.of("1-4");
  private static final List<String> SPLIT = List.of("1", "2-4");
  @TempDir static Path dir;
  static LocalCluster cluster;
  /** The instances reach the registry through this, so that a test can take the registry away from them. */
  static PausableProxy registryProxy;

  @BeforeAll
  static void start() throws Exception {
    cluster = LocalCluster.start(dir, 2);
    registryProxy = new PausableProxy(URI.create(cluster.registry.confluentUrl()).getPort());
  }

  @AfterAll
  static void stop() throws Exception {
    if (registryProxy != null) {
      registryProxy.close();
    }
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

  /**
   * The registry is unreachable for 30 s, and the deep instance is killed just as it goes: the one started in its
   * place cannot read a hand-off until the registry is back. It must not dead-letter them: it fails, exits non-zero
   * and is restarted (here by the harness, as Kubernetes would) until the registry answers again.
   */
  private static Fault registryOutage() {
    return instances -> {
      registryProxy.pause();
      Executors.newSingleThreadScheduledExecutor().schedule(() -> {
        registryProxy.resume();
        return null;
      }, 30, TimeUnit.SECONDS);
      instances.get(1).kill();
      instances.get(1).waitFor(Duration.ofSeconds(10));
      return List.of(1);
    };
  }

  @Test
  void registryDownForThirtySeconds() throws Exception {
    run("registry-outage", SPLIT, registryOutage());
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

  /**
   * Passes off the stream threads: a batch whose pass runs at a commit is committed as waiting, so killing both
   * instances of a split loses and repeats nothing here either.
   */
  @Test
  void splitSigkillOfBothWithPassesOffTheStreamThreads() throws Exception {
    run("split-sigkill-passes", SPLIT, sigkill(0, 1), Map.of(AppConfig.PASS_THREADS, "true"));
  }

  @Test
  void splitSigtermOfEach() throws Exception {
    run("split-sigterm-edge", SPLIT, sigterm(0));
    run("split-sigterm-deep", SPLIT, sigterm(1));
  }

  /**
   * Images waiting for a batch to fill when the instance is killed: their input offsets are already committed (the
   * dangerous case, checked here), so only the changelogged store can bring them back. The instance started in its
   * place must answer every one of them, once.
   */
  @Test
  void imagesWaitingInABatchAreAnsweredOnceAfterSigkill() throws Exception {
    // The batch neither fills nor times out while the instance lives.
    answeredOnceAfterSigkillWhileWaiting("batch-sigkill", Map.of(AppConfig.BATCH_MAX_SIZE, "1000",
        AppConfig.BATCH_MAX_DELAY_MS, "600000"), Map.of(AppConfig.BATCH_MAX_DELAY_MS, "50"));
  }

  /**
   * As above, the images waiting at stage 2 for its batch to refill: every image goes on past stage 1 (no exits)
   * and stage 2 holds them. Its own keys in the store bring them back, to run again from stage 1.
   */
  @Test
  void imagesWaitingToRefillADeeperStageAreAnsweredOnceAfterSigkill() throws Exception {
    answeredOnceAfterSigkillWhileWaiting("refill-sigkill", Map.of(AppConfig.POLICY, "off", AppConfig.BATCH_MAX_SIZE,
        "1000", AppConfig.BATCH_MAX_DELAY_MS, "50", AppConfig.BATCH_REFILL_DELAY_MS, "2:600000"),
        Map.of(AppConfig.BATCH_REFILL_DELAY_MS, "2:50"));
  }

  private void answeredOnceAfterSigkillWhileWaiting(String name, Map<String, String> whileKilled,
      Map<String, String> afterwards) throws Exception {
    int waiting = 40;
    Map<String, String> settings = cluster.settings(name);
    settings.put(AppConfig.APPLICATION_ID_PREFIX, name);
    settings.put("session.timeout.ms", "10000");
    settings.putAll(whileKilled);
    cluster.createTopics(settings, 2);
    AppConfig config = AppConfig.from(settings);
    List<InstanceProcess> instances = new ArrayList<>();
    try (CommittedResults results = new CommittedResults(cluster.kafka.bootstrapServers(),
        cluster.registry.confluentUrl(), config.topics().classifications(), config.topics().dlq());
        Admin admin = Admin.create(Map.of("bootstrap.servers", cluster.kafka.bootstrapServers()))) {
      instances.add(start(name, "1-4", settings, 0));
      try (ImageProducer producer = new ImageProducer(new HashMap<>(config.kafka()), config.topics().images())) {
        producer.send(TinyBundle.IMAGES, waiting, 100, name + "-", sent -> { });
      }
      long committed = results.awaitCommitted(admin, config.applicationId(new StageRange(1, 4)),
          config.topics().images(), waiting, Duration.ofSeconds(90));
      assertEquals(waiting, committed, "the waiting images' offsets are committed: " + output(instances));
      assertEquals(0, results.answers().size(), "and none of them is answered yet");

      instances.get(0).kill();
      assertEquals(137, instances.get(0).waitFor(Duration.ofSeconds(10)), "killed (128 + 9)");
      settings.putAll(afterwards);
      instances.set(0, start(name, "1-4", settings, 1));
      assertTrue(results.awaitAnswered(waiting, Duration.ofSeconds(120)), results.answers().size() + " answered; "
          + output(instances));
      long settle = System.nanoTime() + Duration.ofSeconds(3).toNanos();
      while (System.nanoTime() < settle) {
        results.poll();
      }
      instances.get(0).terminate();
      assertEquals(143, instances.get(0).waitFor(Duration.ofSeconds(40)), instances.get(0).output());
      long duplicated = results.duplicated();
      System.out.printf("fault table: %s | sent %d | answered %d | lost %d | duplicated %d | dead-lettered %d"
          + " | waiting in the batch when killed %d%n", name, waiting, results.answers().size(),
          waiting - results.answers().size(), duplicated, results.deadLettered(), waiting);
      assertEquals(waiting, results.answers().size(), "every waiting image answered");
      assertEquals(0, duplicated, "no image answered twice");
      assertEquals(0, results.deadLettered());
    } finally {
      instances.forEach(InstanceProcess::close);
    }
  }

  private void run(String name, List<String> ranges, Fault fault) throws Exception {
    run(name, ranges, fault, Map.of());
  }

  private void run(String name, List<String> ranges, Fault fault, Map<String, String> extra) throws Exception {
    Map<String, String> settings = cluster.settings(name);
    settings.putAll(extra);
    settings.put("schema.registry.url", cluster.registry.confluentUrl().replace(
        ":" + URI.create(cluster.registry.confluentUrl()).getPort() + "/", ":" + registryProxy.port() + "/"));
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

      int generation = 1;
      for (int i : fault.hit(instances)) {
        instances.set(i, start(name, ranges.get(i), settings, generation++));
      }

      sending.get(90, TimeUnit.SECONDS);
      // Wait for every answer, restarting any instance that exits on its own, as an orchestrator would.
      int restarts = 0;
      long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
      while (results.answers().size() < IMAGES && System.nanoTime() < deadline) {
        results.poll();
        for (int i = 0; i < instances.size(); i++) {
          if (!instances.get(i).alive()) {
            restarts++;
            instances.set(i, start(name, ranges.get(i), settings, generation++));
          }
        }
      }
      assertTrue(results.answers().size() == IMAGES, results.answers().size() + " answered; " + output(instances));
      long settle = System.nanoTime() + Duration.ofSeconds(3).toNanos();
      while (System.nanoTime() < settle) {
        results.poll(); // a duplicate would show up here
      }
      for (InstanceProcess instance : instances) {
        instance.terminate();
        assertEquals(143, instance.waitFor(Duration.ofSeconds(40)), instance.output());
      }
      long duplicated = results.duplicated();
      long replacedThreads = InstanceProcess.replacedThreads(instances);
      System.out.printf("fault table: %s | sent %d | answered %d | lost %d | duplicated %d | dead-lettered %d"
          + " | stream threads replaced %d | processes restarted after exiting on their own %d"
          + " | records the checker read twice (not counted) %d%n", name, IMAGES,
          results.answers().size(), IMAGES - results.answers().size(), duplicated, results.deadLettered(),
          replacedThreads, restarts, results.rereads());
      assertEquals(IMAGES, results.answers().size(), "every image answered");
      assertEquals(0, duplicated, "no image has two committed results: " + duplicates(results));
      assertEquals(0, results.deadLettered());
    } finally {
      sender.shutdownNow();
      instances.forEach(InstanceProcess::close);
    }
  }

  /** The images with more than one committed result, and where each result was written. */
  static String duplicates(CommittedResults results) {
    return results.answers().entrySet().stream().filter(e -> e.getValue() > 1).limit(5)
        .map(e -> e.getKey() + " x" + e.getValue()).toList().toString();
  }

  private static InstanceProcess start(String name, String range, Map<String, String> settings, int generation)
      throws Exception {
    return InstanceProcess.start(dir, name, range, settings, generation);
  }

  private static String output(List<InstanceProcess> instances) throws Exception {
    return InstanceProcess.output(instances);
  }
}
