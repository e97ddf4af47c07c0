package io.aepstreams.streams.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDManager;
import io.aepstreams.model.bundle.ModelParts;
import io.aepstreams.model.bundle.StagedModel;
import io.aepstreams.model.policy.AnytimeEnsemble;
import io.aepstreams.model.policy.ExitPolicy;
import io.aepstreams.model.prune.ExitLogits;
import io.aepstreams.model.prune.ExitSubset;
import io.aepstreams.model.training.ExitEvaluation;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.aepstreams.records.Classification;
import io.aepstreams.records.ImageEncoding;
import io.aepstreams.records.ImageRecord;
import io.aepstreams.records.PartialInference;
import io.aepstreams.schemas.registry.InMemorySchemaRegistry;
import io.aepstreams.schemas.wire.AvroSerde;
import io.aepstreams.streams.config.AppConfig;
import io.aepstreams.streams.config.Batching;
import io.aepstreams.streams.config.StageRange;
import io.aepstreams.streams.dlq.DeadLetters;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.BiFunction;
import java.util.function.Function;
import javax.imageio.ImageIO;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import io.aepstreams.records.TensorDType;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.api.io.TempDir;

/** The production topology on TopologyTestDriver, with a small trained bundle and an in-memory registry. */
class AepTopologyTest {
  @TempDir static Path dir;
  static TinyBundle bundle;
  static NDManager manager;
  private final String scope = "ttd-" + UUID.randomUUID();
  private final List<AutoCloseable> open = new ArrayList<>();

  @BeforeAll
  static void trainBundle() {
    bundle = TinyBundle.write(dir.resolve("tiny"));
    manager = NDManager.newBaseManager();
  }

  @AfterAll
  static void closeManager() {
    manager.close();
  }

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : open) {
      c.close();
    }
    InMemorySchemaRegistry.dropScope(scope);
  }

  private AppConfig config(String stages, String policy) {
    return config(stages, policy, Map.of());
  }

  private AppConfig config(String stages, String policy, Map<String, String> extra) {
    Map<String, String> settings = new HashMap<>(extra);
    settings.put(AppConfig.MODEL, bundle.dir.toString());
    settings.put("schema.registry.url", "mock://" + scope);
    settings.put("bootstrap.servers", "unused:9092");
    if (stages != null) {
      settings.put(AppConfig.STAGES, stages);
    }
    if (policy != null) {
      settings.put(AppConfig.POLICY, policy);
    }
    return AppConfig.from(settings);
  }

  /** A driver for the instance {@code config} describes. */
  private TopologyTestDriver driver(AppConfig config) {
    return driver(config, (model, runner) -> runner);
  }

  /** As {@link #driver(AppConfig)}, each stage's compute passed through {@code stages}. */
  private TopologyTestDriver driver(AppConfig config, BiFunction<StagedModel, StageRunner, StageRunner> stages) {
    return driver(config, StagePasses.INLINE, stages);
  }

  /** As {@link #driver(AppConfig)}, the forward passes run where {@code passes} says. */
  private TopologyTestDriver driver(AppConfig config, StagePasses passes) {
    return driver(config, passes, (model, runner) -> runner);
  }

  private TopologyTestDriver driver(AppConfig config, StagePasses passes,
      BiFunction<StagedModel, StageRunner, StageRunner> stages) {
    StageRange range = AepTopology.range(config, bundle.manifest);
    StagedModel model = new StagedModel(bundle.open(), range.first(), range.last(), manager);
    TopologyTestDriver driver = new TopologyTestDriver(AepTopology.build(config, model, manager,
        AepTopology.pointInForce(config, model.manifest()), passes, runner -> stages.apply(model, runner)),
        AepTopology.streamsProperties(config, range, bundle.manifest));
    open.add(driver);
    open.add(model);
    return driver;
  }

  private <T extends org.apache.avro.specific.SpecificRecord> AvroSerde<T> serde(Class<T> type) {
    AvroSerde<T> serde = new AvroSerde<>(type);
    serde.configure(Map.of("schema.registry.url", "mock://" + scope), false);
    return serde;
  }

  static ImageRecord raw(int i) {
    byte[] pixels = new byte[64];
    System.arraycopy(TinyBundle.IMAGES.pixels(), i * 64, pixels, 0, 64);
    return ImageRecord.newBuilder().setId("img-" + i).setEncoding(ImageEncoding.RAW_U8)
        .setData(ByteBuffer.wrap(pixels)).setWidth(8).setHeight(8).setChannels(1)
        .setLabel(TinyBundle.IMAGES.labels()[i]).setSentAt(Instant.ofEpochMilli(1000 + i)).build();
  }

  private TestInputTopic<byte[], ImageRecord> images(TopologyTestDriver driver) {
    return driver.createInputTopic("aep.images", new ByteArraySerializer(), serde(ImageRecord.class).serializer());
  }

  /**
   * Lets the wall clock run past the longest a batch may wait: the images still waiting go through. Called before
   * reading any output, so these tests run the default (batching) configuration.
   */
  static void releaseWaiting(TopologyTestDriver driver) {
    Batching batching = Batching.DEFAULT;
    runClock(driver, batching.maxDelayMs() + batching.refillMaxDelayMs() + batching.tickMs(), batching.tickMs());
  }

  /**
   * Lets the wall clock run {@code ms} in steps of {@code tickMs}, a punctuation at each, as a stream thread would:
   * a batch whose start the thread's stale time hides is known to a tick ({@link WaitClock}).
   */
  static void runClock(TopologyTestDriver driver, long ms, long tickMs) {
    for (long run = 0; run < ms; run += tickMs) {
      driver.advanceWallClockTime(Duration.ofMillis(Math.min(tickMs, ms - run)));
    }
  }

  private TestOutputTopic<byte[], Classification> results(TopologyTestDriver driver) {
    releaseWaiting(driver);
    return driver.createOutputTopic("aep.classifications", new ByteArrayDeserializer(),
        serde(Classification.class).deserializer());
  }

  private Map<String, Classification> runAll(TopologyTestDriver driver) {
    TestInputTopic<byte[], ImageRecord> in = images(driver);
    for (int i = 0; i < TinyBundle.IMAGES.size(); i++) {
      in.pipeInput(("k" + i).getBytes(), raw(i));
    }
    return byId(results(driver).readValuesToList());
  }

  private static Map<String, Classification> byId(List<Classification> results) {
    Map<String, Classification> map = new LinkedHashMap<>();
    for (Classification c : results) {
      assertEquals(null, map.put(c.getId(), c), "one result per image: " + c.getId());
    }
    return map;
  }

  @Test
  void confidentImagesExitAtStageOneAndTheRestLater() {
    Map<String, Classification> results = runAll(driver(config(null, null)));
    assertEquals(TinyBundle.IMAGES.size(), results.size());
    int early = 0;
    for (int i = 0; i < TinyBundle.IMAGES.size(); i++) {
      Classification c = results.get("img-" + i);
      boolean confident = bundle.exit1Confidence[i] >= bundle.threshold;
      assertEquals(confident ? 1 : 4, c.getExitStage(), "image " + i + " confidence " + bundle.exit1Confidence[i]);
      assertEquals(c.getExitStage(), c.getStageTimings().size(), "one timing per stage run");
      early += confident ? 1 : 0;
    }
    assertTrue(early > 0 && early < TinyBundle.IMAGES.size(), "both paths taken: " + early + " early");
    Classification first = results.get("img-0");
    assertEquals(bundle.manifest.version(), first.getModelVersion());
    assertEquals(TinyBundle.IMAGES.labels()[0], first.getLabel());
    assertEquals(Instant.ofEpochMilli(1000), first.getSentAt());
    assertEquals(List.of("top", "bottom").get(first.getClassIndex()), first.getClassName());
    assertEquals(2, first.getProbabilities().size());
    assertNotNull(first.getSource());
    assertEquals("aep.images", first.getSource().getTopic());
  }

  @Test
  void policyOffRunsEveryStage() {
    Map<String, Classification> results = runAll(driver(config(null, "off")));
    assertEquals(TinyBundle.IMAGES.size(), results.size());
    results.values().forEach(c -> assertEquals(4, c.getExitStage(), c.getId()));
  }

  @Test
  void theLastStageAlwaysAnswers() {
    // No confidence reaches 2: nothing may leave early, and the last stage answers anyway.
    Map<String, Classification> results = runAll(driver(config(null, "1:2,2:2,3:2,4:2")));
    assertEquals(TinyBundle.IMAGES.size(), results.size());
    results.values().forEach(c -> assertEquals(4, c.getExitStage(), c.getId()));
  }

  /**
   * Float32 hand-offs give the single process's results to the last bits a batch may change; float16 and int8 the
   * same class and exit for every image of this model (as the hand-off trial measures it, see HandoffTrialTest),
   * with probabilities within their rounding.
   */
  @ParameterizedTest
  @CsvSource({"float32, FLOAT32, 1e-5", "float16, FLOAT16, 2e-3", "int8, INT8, 3e-2"})
  void splitDeploymentGivesTheSameResultsAsOneProcess(String encoding, TensorDType dtype, double tolerance) {
    Map<String, Classification> single = runAll(driver(config(null, null)));

    Map<String, String> handoff = Map.of(AppConfig.HANDOFF_ENCODING, encoding);
    TopologyTestDriver edge = driver(config("1", null, handoff));
    TopologyTestDriver rest = driver(config("2-4", null));
    TestInputTopic<byte[], ImageRecord> in = images(edge);
    for (int i = 0; i < TinyBundle.IMAGES.size(); i++) {
      in.pipeInput(("k" + i).getBytes(), raw(i));
    }
    TestOutputTopic<byte[], byte[]> handoffs = edge.createOutputTopic("aep.stage-2", new ByteArrayDeserializer(),
        new ByteArrayDeserializer());
    TestInputTopic<byte[], byte[]> restIn = rest.createInputTopic("aep.stage-2", new ByteArraySerializer(),
        new ByteArraySerializer());
    releaseWaiting(edge);
    List<TestRecord<byte[], byte[]>> handed = handoffs.readRecordsToList();
    AvroSerde<PartialInference> partials = new AvroSerde<>(PartialInference.class);
    partials.configure(Map.of("schema.registry.url", "mock://" + scope), false);
    for (TestRecord<byte[], byte[]> record : handed) {
      PartialInference partial = partials.deserializer().deserialize("aep.stage-2", record.value());
      assertEquals(dtype, partial.getTensor().getDtype(), "the record says how it was written");
      assertEquals(dtype == TensorDType.INT8, partial.getTensor().getQuantization() != null);
      restIn.pipeInput(record.key(), record.value());
    }
    Map<String, Classification> split = new LinkedHashMap<>(byId(results(edge).readValuesToList()));
    split.putAll(byId(results(rest).readValuesToList()));

    assertEquals(single.keySet(), split.keySet());
    for (String id : single.keySet()) {
      Classification a = single.get(id);
      Classification b = split.get(id);
      assertEquals(a.getClassIndex(), b.getClassIndex(), id);
      // within float tolerance: the two runs may batch differently
      assertEquals(a.getConfidence(), b.getConfidence(), tolerance, id);
      assertEquals(a.getExitStage(), b.getExitStage(), id);
      for (int c = 0; c < a.getProbabilities().size(); c++) {
        assertEquals(a.getProbabilities().get(c), b.getProbabilities().get(c), tolerance, id + " class " + c);
      }
    }
    assertTrue(handed.size() > 0 && handed.size() < single.size());
    for (TestRecord<byte[], byte[]> record : handed) {
      assertTrue(new String(record.key()).startsWith("k"), "keys stay as produced");
    }
  }

  private static Map<String, String> batching(int size, long delayMs) {
    return Map.of(AppConfig.BATCH_MAX_SIZE, String.valueOf(size), AppConfig.BATCH_MAX_DELAY_MS,
        String.valueOf(delayMs));
  }

  @Test
  void aBatchGoesOnWhenFullOrWhenItsOldestImageHasWaitedLongEnough() {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    Metrics.addRegistry(meters);
    try {
      TopologyTestDriver driver = driver(config(null, "off", batching(4, 1000)));
      TestInputTopic<byte[], ImageRecord> in = images(driver);
      TestOutputTopic<byte[], Classification> out = driver.createOutputTopic("aep.classifications",
          new ByteArrayDeserializer(), serde(Classification.class).deserializer());
      for (int i = 0; i < 3; i++) {
        in.pipeInput(("k" + i).getBytes(), raw(i));
        assertTrue(out.isEmpty(), "image " + i + " waits for its batch");
      }
      in.pipeInput("k3".getBytes(), raw(3));
      assertEquals(List.of("img-0", "img-1", "img-2", "img-3"), ids(out.readValuesToList()), "full: it goes on");

      in.pipeInput("k4".getBytes(), raw(4));
      in.pipeInput("k5".getBytes(), raw(5));
      runClock(driver, 750, 250);
      assertTrue(out.isEmpty(), "750 ms of the 1000 allowed: still waiting");
      driver.advanceWallClockTime(Duration.ofMillis(250));
      assertEquals(List.of("img-4", "img-5"), ids(out.readValuesToList()), "waited its limit: it goes on half full");

      DistributionSummary stage1 = meters.get("aep.stage.batch.size").tag("stage", "1").summary();
      assertEquals(2, stage1.count(), "two forward passes");
      assertEquals(6, stage1.totalAmount());
      assertEquals(4, stage1.max());
    } finally {
      Metrics.removeRegistry(meters);
      meters.close();
    }
  }

  /**
   * A batch started right after a full one went on, in the same run of records, does not count that one's forward
   * pass as waiting (the time Kafka Streams hands the processor predates the pass): the gap counts one tick.
   */
  @Test
  void aBatchStartedRightAfterAFullOneDoesNotCountItsPassAsWaiting() {
    TopologyTestDriver driver = driver(config(null, "off", batching(4, 1000)));
    TestInputTopic<byte[], ImageRecord> in = images(driver);
    TestOutputTopic<byte[], Classification> out = driver.createOutputTopic("aep.classifications",
        new ByteArrayDeserializer(), serde(Classification.class).deserializer());
    for (int i = 0; i < 5; i++) {
      in.pipeInput(("k" + i).getBytes(), raw(i));
    }
    assertEquals(4, out.readValuesToList().size(), "the first four fill a batch; img-4 starts the next");
    driver.advanceWallClockTime(Duration.ofMillis(1000));
    assertTrue(out.isEmpty(), "its start is known to a tick: 250 ms of the 1000 count");
    runClock(driver, 500, 250);
    assertTrue(out.isEmpty(), "750 ms waited");
    driver.advanceWallClockTime(Duration.ofMillis(250));
    assertEquals(List.of("img-4"), ids(out.readValuesToList()), "1000 ms waited: it goes on");
  }

  /**
   * The images going on past stage 1 wait at stage 2 until four of them fill its batch, or until the oldest has
   * waited its refill delay; while they wait, the range's store keeps them under stage 2's own keys.
   */
  @Test
  void imagesGoingOnRefillTheNextStagesBatchAndTheStoreKeepsThemMeanwhile() {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    Metrics.addRegistry(meters);
    try {
      Map<String, String> settings = new HashMap<>(batching(4, 1000));
      settings.put(AppConfig.BATCH_REFILL_DELAY_MS, "2:2000,3:0,4:0");
      TopologyTestDriver driver = driver(config(null, null, settings));
      TestInputTopic<byte[], ImageRecord> in = images(driver);
      TestOutputTopic<byte[], Classification> out = driver.createOutputTopic("aep.classifications",
          new ByteArrayDeserializer(), serde(Classification.class).deserializer());
      org.apache.kafka.streams.state.KeyValueStore<Long, byte[]> store = driver.getKeyValueStore(
          AepTopology.batchStore(1));
      List<Integer> early = new ArrayList<>();
      List<Integer> late = new ArrayList<>();
      for (int i = 0; i < TinyBundle.IMAGES.size(); i++) {
        (bundle.exit1Confidence[i] >= bundle.threshold ? early : late).add(i);
      }
      for (int i : List.of(early.get(0), late.get(0), early.get(1), late.get(1))) {
        in.pipeInput(("k" + i).getBytes(), raw(i));
      }
      Map<String, Classification> first = byId(out.readValuesToList());
      assertEquals(Set.of("img-" + early.get(0), "img-" + early.get(1)), first.keySet(),
          "the confident two leave at stage 1; the other two wait for stage 2's batch");
      assertEquals(2, storedBy(store, 1), "kept under stage 2's keys while they wait");

      for (int i : List.of(late.get(2), late.get(3), early.get(2), early.get(3))) {
        in.pipeInput(("k" + i).getBytes(), raw(i));
      }
      Map<String, Classification> second = byId(out.readValuesToList());
      assertEquals(6, second.size(), "four going on fill stage 2's batch: it runs at once");
      for (int i : late.subList(0, 4)) {
        assertEquals(4, second.get("img-" + i).getExitStage());
      }
      DistributionSummary stage2 = meters.get("aep.stage.batch.size").tag("stage", "2").summary();
      assertEquals(1, stage2.count(), "one pass of stage 2 for the four");
      assertEquals(4, stage2.totalAmount());
      assertEquals(0, storedBy(store, 1), "forgotten once gone on");

      for (int i : List.of(early.get(4), late.get(4), early.get(5), early.get(6))) {
        in.pipeInput(("k" + i).getBytes(), raw(i));
      }
      assertEquals(3, out.readValuesToList().size());
      runClock(driver, 1999, 250);
      assertTrue(out.isEmpty(), "1,999 ms of the 2,000 allowed: still waiting");
      driver.advanceWallClockTime(Duration.ofMillis(1));
      assertEquals(List.of("img-" + late.get(4)), ids(out.readValuesToList()), "waited its limit: it goes on alone");
      assertEquals(2, stage2.count());
      assertEquals(0, storedBy(store, 1));
    } finally {
      Metrics.removeRegistry(meters);
      meters.close();
    }
  }

  /**
   * Off the stream thread, a batch's pass may still run at the next commit: its images, the one that filled it
   * included, stay in the store until what the pass made of them has gone on, and then they are forgotten in the same
   * call that sends them on. Each image is answered once, as it is with the passes on the stream thread.
   */
  @Test
  void aBatchStaysStoredWhileItsPassRunsAndGoesOnOnceItEnds() {
    Held held = held(config(null, "off", batching(4, 1000)));
    HeldPasses passes = held.passes();
    TopologyTestDriver driver = held.driver();
    TestOutputTopic<byte[], Classification> out = held.out();
    var store = held.store();
    held.send(0, 5);
    assertEquals(1, passes.running(), "the first four fill a batch, whose pass has started");
    assertEquals(5, storedBy(store, 0), "its four stay stored while it runs, img-4 waits for the next");
    driver.advanceWallClockTime(Duration.ofMillis(1));
    assertTrue(out.isEmpty(), "nothing goes on before the pass ends");

    passes.finishAll();
    driver.advanceWallClockTime(Duration.ofMillis(1));
    assertEquals(1, storedBy(store, 0), "stage 1 sent its outcome on and forgot its four");
    assertEquals(4, storedBy(store, 1), "stage 2's pass over them runs: they stay stored under its keys");
    assertEquals(1, passes.running());

    finishPasses(driver, passes);
    assertEquals(List.of("img-0", "img-1", "img-2", "img-3"), ids(out.readValuesToList()));
    driver.advanceWallClockTime(Duration.ofMillis(1000));
    finishPasses(driver, passes);
    assertEquals(List.of("img-4"), ids(out.readValuesToList()), "waited its limit: it goes on alone");
    assertEquals(0, storedBy(store, 0) + storedBy(store, 1) + storedBy(store, 2) + storedBy(store, 3));
  }

  /** One stage keeps at most two passes started: a third full batch waits for the oldest, which then goes on. */
  @Test
  void aStageWithTwoPassesRunningWaitsForTheOldestBeforeItStartsAThird() {
    Held held = held(config(null, "off", batching(4, 1000)));
    HeldPasses passes = held.passes();
    var store = held.store();
    held.send(0, 8);
    assertEquals(2, passes.running());
    held.send(8, 12);
    assertEquals(4, passes.started(), "the third batch's, and stage 2's over the first batch, which it waited for");
    assertEquals(3, passes.running());
    assertEquals(8, storedBy(store, 0), "the second and third batches");
    assertEquals(4, storedBy(store, 1), "the first, at stage 2");
    finishPasses(held.driver(), passes);
    assertEquals(12, byId(held.out().readValuesToList()).size(), "each answered once");
    assertEquals(0, storedBy(store, 0) + storedBy(store, 1) + storedBy(store, 2) + storedBy(store, 3));
  }

  /** With exits and refills at the default batching, the passes off the stream thread answer as those on it. */
  @Test
  void passesOffTheStreamThreadAnswerEachImageAsThoseOnIt() {
    Map<String, Classification> inline = runAll(driver(config(null, null)));
    Held held = held(config(null, null));
    HeldPasses passes = held.passes();
    TopologyTestDriver driver = held.driver();
    held.send(0, TinyBundle.IMAGES.size());
    do {
      finishPasses(driver, passes);
      releaseWaiting(driver);
    } while (passes.running() > 0);
    Map<String, Classification> overlapped = byId(held.out().readValuesToList());
    assertEquals(inline.keySet(), overlapped.keySet());
    for (String id : inline.keySet()) {
      assertEquals(inline.get(id).getClassIndex(), overlapped.get(id).getClassIndex(), id);
      assertEquals(inline.get(id).getExitStage(), overlapped.get(id).getExitStage(), id);
      assertEquals(inline.get(id).getConfidence(), overlapped.get(id).getConfidence(), 1e-5, id);
    }
    assertTrue(inline.values().stream().map(Classification::getExitStage).distinct().count() > 1,
        "some leave early and some go on: " + inline.values().stream().map(Classification::getExitStage).toList());
  }

  /** A driver whose passes run only when a test lets them, and the first range's store of waiting images. */
  private record Held(HeldPasses passes, TopologyTestDriver driver, TestInputTopic<byte[], ImageRecord> in,
      TestOutputTopic<byte[], Classification> out, org.apache.kafka.streams.state.KeyValueStore<Long, byte[]> store) {
    /** Sends the tiny bundle's images {@code from} (inclusive) to {@code to}, keyed by their index. */
    void send(int from, int to) {
      for (int i = from; i < to; i++) {
        in.pipeInput(("k" + i).getBytes(), raw(i));
      }
    }
  }

  private Held held(AppConfig config) {
    HeldPasses passes = new HeldPasses();
    TopologyTestDriver driver = driver(config, passes);
    return new Held(passes, driver, images(driver), classifications(driver),
        driver.getKeyValueStore(AepTopology.batchStore(1)));
  }

  private TestOutputTopic<byte[], Classification> classifications(TopologyTestDriver driver) {
    return driver.createOutputTopic("aep.classifications", new ByteArrayDeserializer(),
        serde(Classification.class).deserializer());
  }

  /** Ends every pass, and each pass its outcome starts, a punctuation after each round. */
  private static void finishPasses(TopologyTestDriver driver, HeldPasses passes) {
    do {
      passes.finishAll();
      driver.advanceWallClockTime(Duration.ofMillis(1));
    } while (passes.running() > 0);
  }

  /** How many images {@code store} keeps under the keys of the stage at {@code keySpace} in the range. */
  private static int storedBy(org.apache.kafka.streams.state.KeyValueStore<Long, byte[]> store, int keySpace) {
    int n = 0;
    try (var all = store.all()) {
      while (all.hasNext()) {
        n += all.next().key >>> 48 == keySpace ? 1 : 0;
      }
    }
    return n;
  }

  private static List<String> ids(List<Classification> results) {
    return results.stream().map(c -> c.getId().toString()).toList();
  }

  @Test
  void everyImageOfABatchGetsTheAnswerItGetsAlone() {
    Map<String, Classification> alone = runAll(driver(config(null, null, batching(1, 1))));
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    Metrics.addRegistry(meters);
    Map<String, Classification> batched;
    try {
      batched = runAll(driver(config(null, null, batching(8, 1000))));
      assertEquals(8, meters.get("aep.stage.batch.size").tag("stage", "1").summary().max());
      double stage2 = meters.get("aep.stage.batch.size").tag("stage", "2").summary().max();
      assertTrue(stage2 > 0 && stage2 < 8, "exits shrink the batch that goes on: " + stage2);
    } finally {
      Metrics.removeRegistry(meters);
      meters.close();
    }
    assertEquals(alone.keySet(), batched.keySet());
    for (String id : alone.keySet()) {
      Classification a = alone.get(id);
      Classification b = batched.get(id);
      assertEquals(a.getClassIndex(), b.getClassIndex(), id);
      assertEquals(a.getExitStage(), b.getExitStage(), id);
      assertEquals(a.getConfidence(), b.getConfidence(), 1e-5, id);
      for (int c = 0; c < a.getProbabilities().size(); c++) {
        assertEquals(a.getProbabilities().get(c), b.getProbabilities().get(c), 1e-5f, id + " class " + c);
      }
    }
  }

  @Test
  void theStreamExitsWhereOfflineEvaluationSaysItWould() {
    Map<String, Classification> streamed = runAll(driver(config(null, null)));
    ModelParts parts = bundle.open().loadNetwork(manager);
    ExitLogits logits = ExitEvaluation.logits(parts.network(), parts.input(), TinyBundle.IMAGES, manager);
    ExitPolicy policy = bundle.manifest.policy();
    int[] offline = new AnytimeEnsemble(logits, parts.weights(), new ExitSubset(bundle.manifest.exitStages()),
        policy.confidence(), new long[bundle.manifest.exitStages().size()]).exitStages(policy);
    for (int i = 0; i < offline.length; i++) {
      assertEquals(offline[i], streamed.get("img-" + i).getExitStage(), "image " + i);
    }
  }

  @Test
  void badRecordsGoToTheDeadLetterQueueWithTheirReasonAndGoodOnesStillGetResults() throws IOException {
    // TopologyTestDriver's emulation of exactly-once drops the dead letters that the deserialization handler
    // returns (a real broker keeps them: PipelineIT checks BAD_MAGIC_BYTE under exactly-once), so this driver
    // runs the same topology at least once.
    AppConfig atLeastOnce = config(null, "off", Map.of(StreamsConfig.PROCESSING_GUARANTEE_CONFIG,
        StreamsConfig.AT_LEAST_ONCE));
    TopologyTestDriver driver = driver(atLeastOnce);
    TestInputTopic<byte[], ImageRecord> in = images(driver);
    TestInputTopic<byte[], byte[]> rawIn = driver.createInputTopic("aep.images", new ByteArraySerializer(),
        new ByteArraySerializer());

    in.pipeInput("good-0".getBytes(), raw(0));
    rawIn.pipeInput("not-avro".getBytes(), "{\"id\": 1}".getBytes());
    ImageRecord wrongSize = ImageRecord.newBuilder(raw(1)).setId("wrong-size").setWidth(9).build();
    in.pipeInput("wrong-size".getBytes(), wrongSize);
    ImageRecord garbage = ImageRecord.newBuilder(raw(2)).setId("garbage").setEncoding(ImageEncoding.PNG)
        .setWidth(null).setHeight(null).build();
    in.pipeInput("garbage".getBytes(), garbage);
    ImageRecord huge = ImageRecord.newBuilder(raw(3)).setId("huge").setWidth(100_000).setHeight(100_000)
        .setData(ByteBuffer.wrap(new byte[64])).build();
    in.pipeInput("huge".getBytes(), huge);
    ImageRecord png = ImageRecord.newBuilder(raw(4)).setId("png").setEncoding(ImageEncoding.PNG)
        .setData(ByteBuffer.wrap(png(4))).build();
    in.pipeInput("png".getBytes(), png);
    in.pipeInput("tombstone".getBytes(), (ImageRecord) null);
    in.pipeInput("good-5".getBytes(), raw(5));

    Map<String, Classification> results = byId(results(driver).readValuesToList());
    assertEquals(List.of("img-0", "png", "img-5"), new ArrayList<>(results.keySet()));
    // The reference streams the same good images in the same order, so that the PNG's batch holds what img-4's
    // does: a pass over another batch may round differently in the last bit on some CPUs.
    TopologyTestDriver reference = driver(atLeastOnce);
    TestInputTopic<byte[], ImageRecord> referenceIn = images(reference);
    for (int i : new int[] {0, 4, 5}) {
      referenceIn.pipeInput(("k" + i).getBytes(), raw(i));
    }
    Map<String, Classification> expected = byId(results(reference).readValuesToList());
    assertEquals(expected.get("img-4").getProbabilities(), results.get("png").getProbabilities(),
        "a lossless PNG gives what the raw pixels give");

    List<TestRecord<byte[], byte[]>> dead = driver.createOutputTopic("aep.dlq", new ByteArrayDeserializer(),
        new ByteArrayDeserializer()).readRecordsToList();
    Map<String, String> reasons = new LinkedHashMap<>();
    for (TestRecord<byte[], byte[]> record : dead) {
      reasons.put(new String(record.key()), DeadLetters.header(record.headers(), DeadLetters.REASON));
      if (!new String(record.key()).equals("tombstone")) {
        assertNotNull(record.value(), "the original bytes are kept");
      }
      assertNotNull(DeadLetters.header(record.headers(), DeadLetters.MESSAGE));
      assertEquals("aep.images", DeadLetters.header(record.headers(), DeadLetters.TOPIC));
    }
    assertEquals(Map.of("not-avro", "BAD_MAGIC_BYTE", "wrong-size", "BAD_DIMENSIONS", "garbage", "UNDECODABLE_IMAGE",
        "huge", "TOO_MANY_PIXELS", "tombstone", "TOMBSTONE"), reasons);
    assertEquals("{\"id\": 1}", new String(dead.get(0).value()));
  }

  @Test
  void handedOffRecordsOfAnotherModelOrShapeAreRejected() {
    TopologyTestDriver edge = driver(config("1", "off"));
    images(edge).pipeInput("k".getBytes(), raw(0));
    releaseWaiting(edge);
    AvroSerde<PartialInference> serde = serde(PartialInference.class);
    PartialInference good = serde.deserializer().deserialize("aep.stage-2", edge.createOutputTopic("aep.stage-2",
        new ByteArrayDeserializer(), new ByteArrayDeserializer()).readValue());

    TopologyTestDriver rest = driver(config("2-4", "off"));
    TestInputTopic<byte[], PartialInference> in = rest.createInputTopic("aep.stage-2", new ByteArraySerializer(),
        serde.serializer());
    in.pipeInput("old".getBytes(), PartialInference.newBuilder(good).setModelVersion("0123456789abcdef").build());
    PartialInference wrongShape = PartialInference.newBuilder(good).build();
    wrongShape.getTensor().setShape(List.of(4, 4, 4));
    in.pipeInput("shape".getBytes(), wrongShape);
    in.pipeInput("stage".getBytes(), PartialInference.newBuilder(good).setNextStage(3).build());
    PartialInference nan = PartialInference.newBuilder(good).build();
    ByteBuffer poisoned = ByteBuffer.allocate(good.getTensor().getData().remaining()).put(good.getTensor().getData()
        .duplicate());
    poisoned.order(java.nio.ByteOrder.LITTLE_ENDIAN).putFloat(4, Float.NaN);
    nan.getTensor().setData(poisoned.flip());
    in.pipeInput("nan".getBytes(), nan);
    PartialInference infiniteScore = PartialInference.newBuilder(good).build();
    List<Float> scores = new ArrayList<>(good.getEnsembleScores());
    assertTrue(!scores.isEmpty(), "stage 1 has an exit, so the hand-off carries partial scores");
    scores.set(0, Float.POSITIVE_INFINITY);
    infiniteScore.setEnsembleScores(scores);
    in.pipeInput("inf".getBytes(), infiniteScore);
    in.pipeInput("tombstone".getBytes(), (PartialInference) null);
    in.pipeInput("good".getBytes(), good);

    assertEquals(List.of("img-0"), results(rest).readValuesToList().stream().map(Classification::getId).toList());
    Map<String, String> reasons = new LinkedHashMap<>();
    for (TestRecord<byte[], byte[]> record : rest.createOutputTopic("aep.dlq", new ByteArrayDeserializer(),
        new ByteArrayDeserializer()).readRecordsToList()) {
      reasons.put(new String(record.key()), DeadLetters.header(record.headers(), DeadLetters.REASON));
    }
    assertEquals(Map.of("old", "MODEL_VERSION_MISMATCH", "shape", "TENSOR_SHAPE_MISMATCH", "stage", "WRONG_STAGE",
        "nan", "MALFORMED_TENSOR", "inf", "MALFORMED_TENSOR",
        "tombstone", "TOMBSTONE"), reasons);
  }

  private static byte[] png(int i) throws IOException {
    BufferedImage image = new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_GRAY);
    for (int p = 0; p < 64; p++) {
      int v = TinyBundle.IMAGES.pixels()[i * 64 + p] & 0xff;
      image.getRaster().setSample(p % 8, p / 8, 0, v);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(image, "png", out);
    return out.toByteArray();
  }

  /** Stage {@code stage} throws what {@code failure} makes for any batch holding an image of {@code poisoned}. */
  private TopologyTestDriver failingDriver(int batchSize, int stage, Set<String> poisoned,
      Function<String, RuntimeException> failure) {
    AppConfig config = config(null, "off", batching(batchSize, 1000));
    ExitPolicy policy = config.policy().orElseThrow();
    return driver(config, (model, runner) -> runner.stage() != stage ? runner
        : new StageRunner(stage, model, policy, "test") {
          @Override
          public Outcome run(List<StagedImage> images, NDManager parent) {
            for (StagedImage image : images) {
              if (poisoned.contains(image.origin().id())) {
                throw failure.apply(image.origin().id());
              }
            }
            return super.run(images, parent);
          }
        });
  }

  /**
   * A batch whose forward pass fails: every image of it is answered, or dead-lettered on its own with its own record
   * and reason, whether the batch went on because it filled (the record path) or because it had waited long enough
   * (the punctuation path).
   */
  @Test
  void eachImageOfAFailedBatchIsAnsweredOrDeadLetteredOnItsOwnOnBothPaths() {
    Set<String> poisoned = Set.of("img-2", "img-5");
    TopologyTestDriver driver = failingDriver(4, 2, poisoned, id -> new IllegalStateException("stage 2 cannot take " + id));
    TestInputTopic<byte[], ImageRecord> in = driver.createInputTopic("aep.images", new ByteArraySerializer(),
        serde(ImageRecord.class).serializer());
    TestOutputTopic<byte[], Classification> out = driver.createOutputTopic("aep.classifications",
        new ByteArrayDeserializer(), serde(Classification.class).deserializer());
    TestOutputTopic<byte[], byte[]> dlq = driver.createOutputTopic("aep.dlq", new ByteArrayDeserializer(),
        new ByteArrayDeserializer());

    // The record path: img-3 fills the batch of 4, which fails at stage 2 for img-2.
    for (int i = 0; i < 4; i++) {
      in.pipeInput(("k" + i).getBytes(), raw(i));
    }
    List<String> recordPath = out.readValuesToList().stream().map(c -> c.getId().toString()).toList();
    List<TestRecord<byte[], byte[]>> recordPathDead = dlq.readRecordsToList();
    // The punctuation path: 3 images wait, the batch goes on when its delay is up, and fails for img-5.
    for (int i = 4; i < 7; i++) {
      in.pipeInput(("k" + i).getBytes(), raw(i));
    }
    assertTrue(out.isEmpty(), "three images wait for a batch of four");
    runClock(driver, 1000, 250);
    List<String> punctuationPath = out.readValuesToList().stream().map(c -> c.getId().toString()).toList();
    List<TestRecord<byte[], byte[]>> punctuationPathDead = dlq.readRecordsToList();

    row("batch-fails-record-path", 4, recordPath, recordPathDead);
    row("batch-fails-punctuation-path", 3, punctuationPath, punctuationPathDead);
    assertEquals(List.of("img-0", "img-1", "img-3"), recordPath);
    assertEquals(List.of("img-4", "img-6"), punctuationPath);
    assertDeadLetter(recordPathDead, "img-2", "k2", 2);
    assertDeadLetter(punctuationPathDead, "img-5", "k5", 5);
  }

  private void assertDeadLetter(List<TestRecord<byte[], byte[]>> dead, String id, String key, long offset) {
    assertEquals(1, dead.size(), "one dead letter: the image that fails alone");
    TestRecord<byte[], byte[]> letter = dead.get(0);
    assertEquals(key, new String(letter.key()), "its own key, not the key of the record that released the batch");
    assertEquals(id, serde(ImageRecord.class).deserializer().deserialize("aep.images", letter.value()).getId()
        .toString(), "its own ImageRecord");
    assertEquals(id, DeadLetters.header(letter.headers(), DeadLetters.IMAGE_ID));
    assertEquals("STAGE_FAILED", DeadLetters.header(letter.headers(), DeadLetters.REASON));
    assertEquals("stage 2 cannot take " + id, DeadLetters.header(letter.headers(), DeadLetters.MESSAGE));
    assertEquals("aep.images", DeadLetters.header(letter.headers(), DeadLetters.TOPIC));
    assertEquals(String.valueOf(offset), DeadLetters.header(letter.headers(), DeadLetters.OFFSET));
  }

  private static void row(String name, int sent, List<String> answered, List<TestRecord<byte[], byte[]>> dead) {
    long duplicated = answered.size() - answered.stream().distinct().count();
    System.out.printf("fault table: %s | sent %d | answered %d | lost %d | duplicated %d | dead-lettered %d%n", name,
        sent, answered.size(), sent - answered.stream().distinct().count() - dead.size(), duplicated, dead.size());
  }

  @Test
  void anEngineFailureFailsTheTaskAndDeadLettersNothing() {
    TopologyTestDriver driver = failingDriver(2, 1, Set.of("img-1"), id -> new EngineException("device out of memory"));
    TestInputTopic<byte[], ImageRecord> in = driver.createInputTopic("aep.images", new ByteArraySerializer(),
        serde(ImageRecord.class).serializer());
    in.pipeInput("k0".getBytes(), raw(0));
    assertThrows(StreamsException.class, () -> in.pipeInput("k1".getBytes(), raw(1)));
    assertTrue(driver.createOutputTopic("aep.dlq", new ByteArrayDeserializer(), new ByteArrayDeserializer())
        .isEmpty(), "not the images' fault: nothing is dead-lettered, the batch is done again");
  }
}
