package io.aepstreams.streams.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aepstreams.records.ImageEncoding;
import io.aepstreams.records.ImageRecord;
import io.aepstreams.schemas.wire.AvroSerde;
import io.aepstreams.streams.cli.AepCli;
import io.aepstreams.streams.cli.CliRun;
import io.aepstreams.streams.config.AppConfig;
import io.aepstreams.streams.config.StageRange;
import io.aepstreams.streams.dlq.DeadLetters;
import io.aepstreams.streams.embedded.LocalCluster;
import io.aepstreams.streams.produce.ImageProducer;
import io.aepstreams.streams.redeploy.Deployment;
import io.aepstreams.streams.redeploy.OffsetsCopy;
import io.aepstreams.streams.topology.AepTopology;
import io.aepstreams.streams.topology.TinyBundle;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Changes to a running deployment, made as the runbook says while images keep coming, through real {@code ./aep
 * run} processes: a new split ({@code ./aep offsets copy}), a new batch size, a restart that cannot read what the
 * last run left waiting, and images near the payload limit. Every image must be answered once or dead-lettered
 * with its reason. Each test prints its row of the fault table ({@code fault table: ...}).
 */
@Tag("fault-harness")
class DeploymentChangesIT {
  private static final int IMAGES = 3_000;
  private static final double RATE = 250;
  private static final long BATCH_DELAY_MS = 3_000;
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

  /** Settings of a test's own: topics and groups, a killed member noticed in 10 s, batches that wait. */
  private static Map<String, String> settings(String name) {
    Map<String, String> settings = cluster.settings(name);
    settings.put(AppConfig.APPLICATION_ID_PREFIX, name);
    settings.put("session.timeout.ms", "10000");
    // Batches that fill slowly: images are always waiting, with their offsets committed, when an instance stops.
    settings.put(AppConfig.BATCH_MAX_SIZE, "1000");
    settings.put(AppConfig.BATCH_MAX_DELAY_MS, String.valueOf(BATCH_DELAY_MS));
    return settings;
  }

  @Test
  void singleToSplitUnderFlow() throws Exception {
    change("single-to-split", "1-4", "1,2-4", Map.of());
  }

  @Test
  void aChangeOfSplitPointUnderFlow() throws Exception {
    change("split-point-change", "1,2-4", "1-2,3-4", Map.of());
  }

  @Test
  void aChangeOfBatchSizeUnderFlow() throws Exception {
    change("batch-size-change", "1-4", "1-4", Map.of(AppConfig.BATCH_MAX_SIZE, "1"));
  }

  /**
   * Stops deployment {@code from} while images keep coming, moves to {@code to} as deploy/README.md says, and
   * starts it with {@code after} on top of the settings.
   */
  private void change(String name, String from, String to, Map<String, String> after) throws Exception {
    Map<String, String> settings = settings(name);
    cluster.createTopics(settings, 2);
    AppConfig config = AppConfig.from(settings);
    Deployment old = Deployment.parse(from);
    Deployment next = Deployment.parse(to);
    OffsetsCopy copy = new OffsetsCopy(config, cluster.bundle.manifest);
    ExecutorService sender = Executors.newSingleThreadExecutor();
    List<InstanceProcess> instances = new ArrayList<>();
    List<String> ranges = new ArrayList<>();
    int generation = 0;
    try (CommittedResults results = new CommittedResults(cluster.kafka.bootstrapServers(),
        cluster.registry.confluentUrl(), config.topics().classifications(), config.topics().dlq())) {
      for (StageRange range : old.ranges()) {
        ranges.add(range.toString());
        instances.add(InstanceProcess.start(dir, name, range.toString(), settings, generation));
      }
      Map<String, Object> producerSettings = new HashMap<>(config.kafka());
      Future<?> sending = sender.submit(() -> {
        try (ImageProducer producer = new ImageProducer(producerSettings, config.topics().images())) {
          producer.send(TinyBundle.IMAGES, IMAGES, RATE, name + "-", sent -> { });
        }
        return null;
      });
      assertTrue(results.awaitAnswered(300, Duration.ofSeconds(90)), "the pipeline answers: "
          + InstanceProcess.output(instances));
      // A batch has just gone (the answers come a batch at a time, every 3 s): stop half-way to the next, so that
      // hundreds of images are waiting for it. Stopped just after one, none might be.
      Thread.sleep(BATCH_DELAY_MS / 2);

      // The runbook: stop the instance that reads the images first, so that what comes after it can drain.
      terminate(instances.get(0));
      for (int i = 1; i < instances.size(); i++) {
        awaitDrained(copy, old, next, results);
        terminate(instances.get(i));
      }
      long waitingAtStop = old.ranges().stream().mapToLong(r -> copy.waiting(r).size()).sum();
      assertTrue(waitingAtStop > 0, "images wait for a batch when the old deployment stops: the dangerous case");

      String carried = "";
      if (!from.equals(to)) {
        // Started without the copy, a new range refuses rather than answering every retained image again.
        InstanceProcess early = InstanceProcess.start(dir, name, next.ranges().get(0).toString(), settings, 99);
        int exit = early.waitFor(Duration.ofSeconds(60));
        assertNotEquals(0, exit, early.output());
        assertTrue(early.output().contains("./aep offsets copy"), early.output());

        CliRun run = CliRun.of(AepCli.commandLine(), copyArgs(settings, from, to));
        assertEquals(0, run.exit(), run.out() + run.err());
        System.out.print(run.out());
        carried = run.out().lines().filter(l -> l.contains("left waiting go to")).toList().toString();
      }

      Map<String, String> newSettings = new HashMap<>(settings);
      newSettings.putAll(after);
      instances.clear();
      ranges.clear();
      generation++;
      for (StageRange range : next.ranges()) {
        ranges.add(range.toString());
        instances.add(InstanceProcess.start(dir, name, range.toString(), newSettings, generation));
      }
      sending.get(90, TimeUnit.SECONDS);
      assertTrue(results.awaitAnswered(IMAGES, Duration.ofSeconds(180)), results.answers().size() + " answered; "
          + InstanceProcess.output(instances));
      if (!from.equals(to)) {
        // Run again (a Job retried after it succeeded) while the new deployment runs: nothing to do, exit 0.
        CliRun again = CliRun.of(AepCli.commandLine(), copyArgs(settings, from, to));
        assertEquals(0, again.exit(), again.out() + again.err());
        assertTrue(again.out().contains("already done"), again.out());
      }
      settle(results);
      for (InstanceProcess instance : instances) {
        terminate(instance);
      }
      long duplicated = results.duplicated();
      long replacedThreads = InstanceProcess.replacedThreads(instances);
      System.out.printf("fault table: %s | sent %d | answered %d | lost %d | duplicated %d | dead-lettered %d"
          + " | %s to %s%s | waiting for a batch when stopped %d %s | stream threads replaced %d%n", name, IMAGES,
          results.answers().size(), IMAGES - results.answers().size(), duplicated, results.deadLettered(), from, to,
          after.isEmpty() ? "" : " with " + after, waitingAtStop, carried, replacedThreads);
      assertEquals(IMAGES, results.answers().size(), "every image answered");
      assertEquals(0, duplicated, "no image has two committed results: " + FaultHarnessIT.duplicates(results));
      assertEquals(0, results.deadLettered());
      assertEquals(0, replacedThreads);
    } finally {
      sender.shutdownNow();
      instances.forEach(InstanceProcess::close);
    }
  }

  private static String[] copyArgs(Map<String, String> settings, String from, String to) {
    List<String> args = new ArrayList<>(List.of("offsets", "copy", "--from", from, "--to", to));
    settings.forEach((key, value) -> args.addAll(List.of("--set", key + "=" + value)));
    return args.toArray(String[]::new);
  }

  /** Waits until the plan says no old range has anything left to drain (only that its instances still run). */
  private static void awaitDrained(OffsetsCopy copy, Deployment from, Deployment to, CommittedResults results)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    List<String> problems = copy.plan(from, to).problems();
    while (problems.stream().anyMatch(p -> p.contains("must drain")) && System.nanoTime() < deadline) {
      results.poll();
      Thread.sleep(500);
      problems = copy.plan(from, to).problems();
    }
    assertTrue(problems.stream().noneMatch(p -> p.contains("must drain")), problems.toString());
  }

  private static void terminate(InstanceProcess instance) throws Exception {
    instance.terminate();
    assertEquals(143, instance.waitFor(Duration.ofSeconds(40)), instance.output());
  }

  /** Reads on for a few seconds: a duplicate would show up here. */
  private static void settle(CommittedResults results) {
    long settle = System.nanoTime() + Duration.ofSeconds(3).toNanos();
    while (System.nanoTime() < settle) {
      results.poll();
    }
  }

  /**
   * Images waiting for a batch when the instance is killed, and the instance started in its place cannot read them
   * back (here its payload limit was lowered below their size): each is dead-lettered with its reason, and the
   * partition goes on, answering the images that come after.
   */
  @Test
  void aRestoreThatCannotDecodeDeadLettersAndGoesOn() throws Exception {
    String name = "restore-cannot-decode";
    int waiting = 40;
    int after = 20;
    Map<String, String> settings = settings(name);
    settings.put(AppConfig.BATCH_MAX_DELAY_MS, "600000");
    cluster.createTopics(settings, 2);
    AppConfig config = AppConfig.from(settings);
    List<InstanceProcess> instances = new ArrayList<>();
    try (CommittedResults results = new CommittedResults(cluster.kafka.bootstrapServers(),
        cluster.registry.confluentUrl(), config.topics().classifications(), config.topics().dlq());
        Admin admin = Admin.create(Map.of("bootstrap.servers", cluster.kafka.bootstrapServers()))) {
      instances.add(InstanceProcess.start(dir, name, "1-4", settings, 0));
      try (ImageProducer producer = new ImageProducer(new HashMap<>(config.kafka()), config.topics().images())) {
        producer.send(TinyBundle.IMAGES, waiting, 100, name + "-", sent -> { });
      }
      long committed = results.awaitCommitted(admin, config.applicationId(new StageRange(1, 4)),
          config.topics().images(), waiting, Duration.ofSeconds(90));
      assertEquals(waiting, committed, "the waiting images' offsets are committed: "
          + InstanceProcess.output(instances));
      instances.get(0).kill();
      assertEquals(137, instances.get(0).waitFor(Duration.ofSeconds(10)), "killed (128 + 9)");

      // 8x8 images are 64 bytes: the new limit refuses them; the 7x7 images sent next (49 bytes) still pass.
      settings.put(AppConfig.MAX_PAYLOAD_BYTES, "63");
      settings.put(AppConfig.BATCH_MAX_DELAY_MS, "50");
      instances.set(0, InstanceProcess.start(dir, name, "1-4", settings, 1));
      sendSmall(config, name + "-small-", after);
      assertTrue(results.awaitAccountedFor(waiting + after, Duration.ofSeconds(120)), results.answers().size()
          + " answered, " + results.deadLettered() + " dead-lettered; " + InstanceProcess.output(instances));
      settle(results);
      terminate(instances.get(0));
      Map<String, String> reasons = reasons(config.topics().dlq());
      long duplicated = results.duplicated()
          + results.deadLetteredIds().values().stream().filter(n -> n > 1).count();
      long replacedThreads = InstanceProcess.replacedThreads(instances);
      System.out.printf("fault table: %s | sent %d | answered %d | lost %d | duplicated %d | dead-lettered %d"
          + " (%s) | stream threads replaced %d%n", name, waiting + after, results.answers().size(),
          waiting + after - results.accountedFor(), duplicated, results.deadLettered(),
          reasons.values().stream().distinct().toList(), replacedThreads);
      assertEquals(after, results.answers().size(), "the images after the restore are answered");
      assertTrue(results.answers().keySet().stream().allMatch(id -> id.startsWith(name + "-small-")));
      assertEquals(waiting, results.deadLettered(), "each waiting image is dead-lettered, once");
      assertEquals(waiting, results.deadLetteredIds().size());
      assertTrue(reasons.values().stream().allMatch("PAYLOAD_TOO_LARGE"::equals), reasons.toString());
      assertEquals(0, duplicated);
      assertEquals(0, replacedThreads, "the partition never stopped");
    } finally {
      instances.forEach(InstanceProcess::close);
    }
  }

  /** {@code count} 7x7 grayscale images, smaller than the tiny bundle's 8x8 (the decoder resizes them). */
  private static void sendSmall(AppConfig config, String prefix, int count) throws Exception {
    AvroSerde<ImageRecord> serde = new AvroSerde<>(ImageRecord.class);
    serde.configure(config.kafka(), false);
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers",
        cluster.kafka.bootstrapServers()), new ByteArraySerializer(), new ByteArraySerializer())) {
      for (int i = 0; i < count; i++) {
        byte[] pixels = new byte[49];
        System.arraycopy(TinyBundle.IMAGES.pixels(), i * 64, pixels, 0, 49);
        ImageRecord image = ImageRecord.newBuilder().setId(prefix + i).setEncoding(ImageEncoding.RAW_U8)
            .setData(ByteBuffer.wrap(pixels)).setWidth(7).setHeight(7).setChannels(1).setSentAt(Instant.now())
            .build();
        producer.send(new ProducerRecord<>(config.topics().images(), image.getId().toString().getBytes(
            StandardCharsets.UTF_8), serde.serializer().serialize(config.topics().images(), image))).get();
      }
    }
  }

  /**
   * Camera-sized frames near the payload limit (3 MiB), through a split deployment with batching and exactly-once:
   * they wait in the stage-1 store across commits (so its changelog takes records of their size), are handed off,
   * and every one is answered once, none dead-lettered, no thread replaced.
   */
  @Test
  void imagesNearThePayloadLimit() throws Exception {
    String name = "near-payload-limit";
    int frames = 12;
    int width = 1024;
    int height = 1000;
    Map<String, String> settings = settings(name);
    settings.put(AppConfig.MAX_PAYLOAD_BYTES, String.valueOf(3 << 20));
    settings.put(AppConfig.MAX_PIXELS, String.valueOf(2_000_000));
    settings.put(AppConfig.BATCH_MAX_SIZE, "8");
    settings.put(AppConfig.BATCH_MAX_DELAY_MS, "1500");
    cluster.createTopics(settings, 2);
    AppConfig config = AppConfig.from(settings);
    List<InstanceProcess> instances = new ArrayList<>();
    try (CommittedResults results = new CommittedResults(cluster.kafka.bootstrapServers(),
        cluster.registry.confluentUrl(), config.topics().classifications(), config.topics().dlq())) {
      instances.add(InstanceProcess.start(dir, name, "1", settings, 0));
      instances.add(InstanceProcess.start(dir, name, "2-4", settings, 0));
      AvroSerde<ImageRecord> serde = new AvroSerde<>(ImageRecord.class);
      serde.configure(config.kafka(), false);
      long largest = 0;
      try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers",
          cluster.kafka.bootstrapServers(), "max.request.size", 8 << 20), new ByteArraySerializer(),
          new ByteArraySerializer())) {
        for (int i = 0; i < frames; i++) {
          byte[] rgb = new byte[width * height * 3];
          for (int p = 0; p < rgb.length; p++) {
            rgb[p] = (byte) ((p / 3 % width + p / 3 / width + 40 * i) & 0xff);
          }
          ImageRecord frame = ImageRecord.newBuilder().setId(name + "-" + i).setEncoding(ImageEncoding.RAW_U8)
              .setData(ByteBuffer.wrap(rgb)).setWidth(width).setHeight(height).setChannels(3)
              .setSentAt(Instant.now()).build();
          byte[] value = serde.serializer().serialize(config.topics().images(), frame);
          largest = Math.max(largest, value.length);
          producer.send(new ProducerRecord<>(config.topics().images(), frame.getId().toString().getBytes(
              StandardCharsets.UTF_8), value)).get();
          Thread.sleep(300); // a few commits pass while each batch waits
        }
      }
      assertTrue(results.awaitAnswered(frames, Duration.ofSeconds(120)), results.answers().size() + " answered; "
          + InstanceProcess.output(instances));
      settle(results);
      long changelogLargest = largestRecord(AepTopology.changelog(config, new StageRange(1, 1)));
      for (InstanceProcess instance : instances) {
        terminate(instance);
      }
      long duplicated = results.duplicated();
      long replacedThreads = InstanceProcess.replacedThreads(instances);
      System.out.printf("fault table: %s | sent %d | answered %d | lost %d | duplicated %d | dead-lettered %d"
          + " | frames of %,d bytes (limit %,d), the largest stage-1 changelog record %,d bytes | stream threads"
          + " replaced %d%n", name, frames, results.answers().size(), frames - results.answers().size(), duplicated,
          results.deadLettered(), largest, 3 << 20, changelogLargest, replacedThreads);
      assertEquals(frames, results.answers().size());
      assertEquals(0, duplicated);
      assertEquals(0, results.deadLettered());
      assertEquals(0, replacedThreads);
      assertTrue(changelogLargest > width * height * 3, "frames waited in the store across a commit");
    } finally {
      instances.forEach(InstanceProcess::close);
    }
  }

  /** The largest record of {@code topic}, committed or not. */
  private static long largestRecord(String topic) {
    long[] largest = {0};
    CommittedResults.readAll(cluster.kafka.bootstrapServers(), topic, false,
        r -> largest[0] = Math.max(largest[0], r.value() == null ? 0 : r.value().length));
    return largest[0];
  }

  /** The dead letters' reasons, by image id. */
  private static Map<String, String> reasons(String dlq) {
    Map<String, String> reasons = new HashMap<>();
    CommittedResults.readAll(cluster.kafka.bootstrapServers(), dlq, true, r -> reasons.put(
        DeadLetters.header(r.headers(), DeadLetters.IMAGE_ID), DeadLetters.header(r.headers(), DeadLetters.REASON)));
    return reasons;
  }
}
