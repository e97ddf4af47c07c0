package io.aepstreams.streams.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aepstreams.model.bundle.Manifest;
import io.aepstreams.model.bundle.ModelBundle;
import io.aepstreams.model.policy.ExitPolicy;
import io.aepstreams.records.Classification;
import io.aepstreams.records.StageTiming;
import io.aepstreams.streams.config.AppConfig;
import io.aepstreams.streams.embedded.LocalCluster;
import io.aepstreams.streams.faults.CommittedResults;
import io.aepstreams.streams.produce.ImageProducer;
import io.aepstreams.streams.runtime.PipelineInstance;
import io.aepstreams.streams.topology.TinyBundle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/README.md's model rollout, on the in-JVM broker, while images flow: a split deployment (stage 1 | stages
 * 2-4) moves from model version 1 to version 2. Each version hands over through stage topics of its own, and its
 * deep instances have an application id of their own; the edge keeps its application id, so its input offsets
 * (and its waiting images) carry over. Deep v2 starts first, then the edge rolls (v2 joins the group, v1 leaves it),
 * then deep v1 drains and stops.
 */
class ModelRolloutIT {
  private static final int IMAGES = 3000;
  private static final double RATE = 150;
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

  /** Version 2: the same network with another policy (every stage for every image), so another version. */
  private static Path secondVersion() throws Exception {
    Path v2 = dir.resolve("tiny-v2");
    Files.createDirectories(v2);
    try (Stream<Path> files = Files.list(cluster.bundle.dir)) {
      for (Path file : files.toList()) {
        Files.copy(file, v2.resolve(file.getFileName()));
      }
    }
    Manifest manifest = cluster.bundle.manifest;
    ModelBundle.rewriteManifest(v2, manifest.withPolicy(ExitPolicy.off(manifest.policy().confidence())));
    return v2;
  }

  private static Map<String, String> instance(Map<String, String> base, Path model, String version, String stages,
      String applicationIdPrefix) {
    Map<String, String> settings = new HashMap<>(base);
    settings.put(AppConfig.MODEL, model.toString());
    settings.put(AppConfig.STAGES, stages);
    settings.put(AppConfig.TOPIC_STAGE_PREFIX, "rollout." + version + ".stage-");
    settings.put(AppConfig.APPLICATION_ID_PREFIX, applicationIdPrefix);
    settings.put(AppConfig.INSTANCE, (stages.startsWith("1") ? "edge-" : "deep-") + version);
    return settings;
  }

  @Test
  void aSplitDeploymentMovesToANewModelWithoutLosingOrMixingAnImage() throws Exception {
    Map<String, String> base = cluster.settings("rollout");
    base.put("session.timeout.ms", "10000");
    Path v1 = cluster.bundle.dir;
    Path v2 = secondVersion();
    String version1 = ModelBundle.open(v1).manifest().version();
    String version2 = ModelBundle.open(v2).manifest().version();
    assertNotEquals(version1, version2);
    Map<String, String> edge1 = instance(base, v1, "v1", "1", "rollout");
    Map<String, String> deep1 = instance(base, v1, "v1", "2-4", "rollout-v1");
    Map<String, String> edge2 = instance(base, v2, "v2", "1", "rollout");
    Map<String, String> deep2 = instance(base, v2, "v2", "2-4", "rollout-v2");
    // The topics job of each version: the shared ones exist already for version 2, its stage topics are new.
    cluster.createTopics(edge1, 2);
    cluster.createTopics(edge2, 2);
    AppConfig config = AppConfig.from(edge1);

    ExecutorService sender = Executors.newSingleThreadExecutor();
    PipelineInstance edgeV1 = null;
    PipelineInstance deepV1 = null;
    PipelineInstance edgeV2 = null;
    PipelineInstance deepV2 = null;
    try (CommittedResults results = new CommittedResults(cluster.kafka.bootstrapServers(),
        cluster.registry.confluentUrl(), config.topics().classifications(), config.topics().dlq())) {
      edgeV1 = PipelineInstance.start(AppConfig.from(edge1));
      deepV1 = PipelineInstance.start(AppConfig.from(deep1));
      Map<String, Object> producerSettings = new HashMap<>(config.kafka());
      Future<?> sending = sender.submit(() -> {
        try (ImageProducer producer = new ImageProducer(producerSettings, config.topics().images())) {
          producer.send(TinyBundle.IMAGES, IMAGES, RATE, "rollout-", sent -> { });
        }
        return null;
      });
      assertTrue(results.awaitAnswered(300, Duration.ofSeconds(60)), "version 1 answers");

      // 1. The new deep stages, beside the old ones.
      deepV2 = PipelineInstance.start(AppConfig.from(deep2));
      deepV2.awaitRunning(Duration.ofSeconds(60));
      // 2. The edge rolls: a version-2 pod joins the group, then the version-1 pod leaves it, as a rolling update.
      edgeV2 = PipelineInstance.start(AppConfig.from(edge2));
      edgeV2.awaitRunning(Duration.ofSeconds(60));
      results.awaitAnswered(results.answers().size() + 300, Duration.ofSeconds(30));
      assertTrue(edgeV1.close(PipelineInstance.CLOSE_TIMEOUT), "edge v1 stops cleanly");
      edgeV1 = null;

      sending.get(60, TimeUnit.SECONDS);
      assertTrue(results.awaitAnswered(IMAGES, Duration.ofSeconds(120)), results.answers().size() + " answered");
      // 3. Version 1's stage topic is drained (every image answered): its deep stages go.
      assertTrue(deepV1.close(PipelineInstance.CLOSE_TIMEOUT), "deep v1 stops cleanly");
      deepV1 = null;
      long settle = System.nanoTime() + Duration.ofSeconds(3).toNanos();
      while (System.nanoTime() < settle) {
        results.poll(); // a duplicate would show up here
      }

      Map<String, Integer> perVersion = new TreeMap<>();
      int mixed = 0;
      for (Classification result : results.results().values()) {
        String version = result.getModelVersion().toString();
        String label = version.equals(version1) ? "v1" : version.equals(version2) ? "v2" : "unknown " + version;
        perVersion.merge(label, 1, Integer::sum);
        Set<String> instances = Set.of("edge-" + label, "deep-" + label);
        for (StageTiming timing : result.getStageTimings()) {
          if (!instances.contains(String.valueOf(timing.getInstance()))) {
            mixed++;
            break;
          }
        }
      }
      long duplicated = results.answers().values().stream().filter(n -> n > 1).count();
      System.out.printf("rollout: sent %d | answered %d | lost %d | duplicated %d | dead-lettered %d | answered per "
          + "version %s | results mixing versions %d%n", IMAGES, results.answers().size(),
          IMAGES - results.answers().size(), duplicated, results.deadLettered(), perVersion, mixed);
      assertEquals(IMAGES, results.answers().size(), "every image answered");
      assertEquals(0, duplicated, "none answered twice");
      assertEquals(0, results.deadLettered(), "none dead-lettered by the upgrade");
      assertEquals(Set.of("v1", "v2"), perVersion.keySet(), "both versions answered, nothing else");
      assertEquals(0, mixed, "every result ran on the stages of its own version only");
      results.results().values().stream().filter(r -> r.getModelVersion().toString().equals(version2))
          .forEach(r -> assertEquals(4, r.getExitStage(), "version 2 runs every stage"));
    } finally {
      sender.shutdownNow();
      for (PipelineInstance instance : new PipelineInstance[] {edgeV1, deepV1, edgeV2, deepV2}) {
        if (instance != null) {
          instance.close();
        }
      }
    }
  }
}
