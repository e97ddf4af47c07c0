package io.aepstreams.streams.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import io.aepstreams.model.bundle.StagedModel;
import io.aepstreams.model.data.ImageSet;
import io.aepstreams.model.policy.PartialEnsemble;
import io.aepstreams.model.prune.ExitLogits;
import io.aepstreams.model.training.ExitEvaluation;
import io.aepstreams.model.training.TinyData;
import io.aepstreams.records.Classification;
import io.aepstreams.records.ExitControl;
import io.aepstreams.records.ImageEncoding;
import io.aepstreams.records.ImageRecord;
import io.aepstreams.records.PointSetter;
import io.aepstreams.schemas.registry.InMemorySchemaRegistry;
import io.aepstreams.schemas.wire.AvroSerde;
import io.aepstreams.streams.config.AppConfig;
import io.aepstreams.streams.config.StageRange;
import io.aepstreams.streams.control.PointInForce;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Operating points in the production topology: a point published on the control topic takes effect at the next
 * batch, with no restart; every result names the point that decided it; a bad point is refused and the last good
 * one stays; audited images get one answer, and their agreement with the full ensemble is measured.
 */
class OperatingPointsTopologyTest {
  @TempDir static Path dir;
  static TinyBundle bundle;
  static NDManager manager;
  private final String scope = "points-" + UUID.randomUUID();
  private final List<AutoCloseable> open = new ArrayList<>();
  private SimpleMeterRegistry meters;

  @BeforeAll
  static void trainBundle() {
    bundle = TinyBundle.writeWithPoints(dir.resolve("tiny"));
    manager = NDManager.newBaseManager();
  }

  @AfterAll
  static void closeManager() {
    manager.close();
  }

  @BeforeEach
  void meters() {
    meters = new SimpleMeterRegistry();
    Metrics.addRegistry(meters);
  }

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : open) {
      c.close();
    }
    Metrics.removeRegistry(meters);
    InMemorySchemaRegistry.dropScope(scope);
  }

  private AppConfig config(Map<String, String> extra) {
    Map<String, String> settings = new HashMap<>(extra);
    settings.put(AppConfig.MODEL, bundle.dir.toString());
    settings.put("schema.registry.url", "mock://" + scope);
    settings.put("bootstrap.servers", "unused:9092");
    // one image per batch: each image is decided by the point in force when it arrives
    settings.put(AppConfig.BATCH_MAX_SIZE, "1");
    return AppConfig.from(settings);
  }

  private record Running(TopologyTestDriver driver, PointInForce points) {}

  private Running start(AppConfig config) {
    StageRange range = AepTopology.range(config, bundle.manifest);
    StagedModel model = new StagedModel(bundle.open(), range.first(), range.last(), manager);
    PointInForce points = AepTopology.pointInForce(config, model.manifest());
    TopologyTestDriver driver = new TopologyTestDriver(AepTopology.build(config, model, manager, points),
        AepTopology.streamsProperties(config, range, bundle.manifest));
    open.add(driver);
    open.add(model);
    return new Running(driver, points);
  }

  private <T extends org.apache.avro.specific.SpecificRecord> AvroSerde<T> serde(Class<T> type) {
    AvroSerde<T> serde = new AvroSerde<>(type);
    serde.configure(Map.of("schema.registry.url", "mock://" + scope), false);
    return serde;
  }

  private static ImageRecord raw(String id, byte[] pixels) {
    return ImageRecord.newBuilder().setId(id).setEncoding(ImageEncoding.RAW_U8).setData(ByteBuffer.wrap(pixels))
        .setWidth(8).setHeight(8).setChannels(1).setSentAt(Instant.ofEpochMilli(1000)).build();
  }

  private static byte[] pixels(ImageSet images, int i) {
    byte[] pixels = new byte[64];
    System.arraycopy(images.pixels(), i * 64, pixels, 0, 64);
    return pixels;
  }

  /** Streams {@code images} with ids {@code prefix-i}; returns the results in order. */
  private List<Classification> stream(TopologyTestDriver driver, ImageSet images, String prefix) {
    TestInputTopic<byte[], ImageRecord> in = driver.createInputTopic("aep.images", new ByteArraySerializer(),
        serde(ImageRecord.class).serializer());
    for (int i = 0; i < images.size(); i++) {
      in.pipeInput((prefix + i).getBytes(), raw(prefix + "-" + i, pixels(images, i)));
    }
    AepTopologyTest.releaseWaiting(driver);
    TestOutputTopic<byte[], Classification> out = driver.createOutputTopic("aep.classifications",
        new ByteArrayDeserializer(), serde(Classification.class).deserializer());
    return out.readValuesToList();
  }

  private void publish(TopologyTestDriver driver, ExitControl control) {
    driver.createInputTopic("aep.control", new StringSerializer(), serde(ExitControl.class).serializer())
        .pipeInput(control.getModelVersion(), control);
  }

  private void publishBytes(TopologyTestDriver driver, String key, byte[] value) {
    driver.createInputTopic("aep.control", new StringSerializer(), new ByteArraySerializer()).pipeInput(key, value);
  }

  private static ExitControl point(int index, PointSetter setBy) {
    return ExitControl.newBuilder().setModelName(bundle.manifest.name()).setModelVersion(bundle.manifest.version())
        .setPoint(index).setBasePoint(index).setBudgetPoints(bundle.manifest.operatingPoints().get(index)
            .budgetPoints()).setSetBy(setBy).setReason("test").setSetAt(Instant.now()).build();
  }

  private static void assertDecidedBy(List<Classification> results, int point, PointSetter setBy, int exitStage) {
    assertEquals(TinyBundle.IMAGES.size(), results.size());
    for (Classification c : results) {
      assertEquals(point, c.getOperatingPoint().getIndex(), c.getId());
      assertEquals(setBy, c.getOperatingPoint().getSetBy(), c.getId());
      assertEquals(bundle.manifest.operatingPoints().get(point).budgetPoints(),
          c.getOperatingPoint().getBudgetPoints(), c.getId());
      if (exitStage > 0) {
        assertEquals(exitStage, c.getExitStage(), c.getId());
      }
    }
  }

  @Test
  void aPublishedPointTakesEffectAtTheNextBatchWithoutARestart() {
    Running running = start(config(Map.of()));
    TopologyTestDriver driver = running.driver();
    List<Classification> first = stream(driver, TinyBundle.IMAGES, "a");
    assertDecidedBy(first, 1, PointSetter.BUNDLE, 0);
    long early = first.stream().filter(c -> c.getExitStage() == 1).count();
    assertTrue(early > 0 && early < first.size(), "the bundle's point lets some out at stage 1: " + early);

    publish(driver, point(2, PointSetter.OPERATOR));
    assertDecidedBy(stream(driver, TinyBundle.IMAGES, "b"), 2, PointSetter.OPERATOR, 2);

    publish(driver, point(0, PointSetter.CONTROLLER));
    assertDecidedBy(stream(driver, TinyBundle.IMAGES, "c"), 0, PointSetter.CONTROLLER, 4);
    assertEquals(0, running.points().current().index());
  }

  @Test
  void aBadPointIsRefusedAndTheLastGoodOneStays() {
    Running running = start(config(Map.of()));
    TopologyTestDriver driver = running.driver();
    publish(driver, point(2, PointSetter.OPERATOR));
    ExitControl unknown = point(2, PointSetter.OPERATOR);
    unknown.setPoint(7);
    publish(driver, unknown);
    ExitControl wrongBudget = point(0, PointSetter.OPERATOR);
    wrongBudget.setBudgetPoints(2.5);
    publish(driver, wrongBudget);
    publishBytes(driver, bundle.manifest.version(), new byte[] {0, 0, 0, 0, 99, 1, 2});
    ExitControl otherVersion = point(0, PointSetter.OPERATOR);
    otherVersion.setModelVersion("0123456789abcdef");
    publish(driver, otherVersion);
    assertDecidedBy(stream(driver, TinyBundle.IMAGES, "a"), 2, PointSetter.OPERATOR, 2);
    assertEquals(3.0, meters.counter("aep.operating.point.refused").count(),
        "the unknown point, the wrong budget and the unreadable record (another version's record is not ours)");
  }

  @Test
  void aPointSetByAepPolicyIsNotMovedByTheControlTopic() {
    Running running = start(config(Map.of(AppConfig.POLICY, "off")));
    publish(running.driver(), point(2, PointSetter.OPERATOR));
    List<Classification> results = stream(running.driver(), TinyBundle.IMAGES, "a");
    assertEquals(TinyBundle.IMAGES.size(), results.size());
    for (Classification c : results) {
      assertEquals(-1, c.getOperatingPoint().getIndex());
      assertEquals(PointSetter.SETTING, c.getOperatingPoint().getSetBy());
      assertEquals(4, c.getExitStage());
    }
  }

  /** Pure noise in place of each image: what a camera that has gone wrong sends. */
  private static ImageSet noise(ImageSet like, long seed) {
    byte[] pixels = new byte[like.pixels().length];
    new Random(seed).nextBytes(pixels);
    return new ImageSet(pixels, like.labels(), like.channels(), like.height(), like.width(), like.classNames());
  }

  /** The share of {@code images} whose exit-2 answer is the full ensemble's: what the audit must measure. */
  private static double agreementOffline(ImageSet images) {
    var parts = bundle.open().loadNetwork(manager.newSubManager());
    try {
      ExitLogits logits = ExitEvaluation.logits(parts.network(), parts.input(), images, parts.manager());
      int same = 0;
      for (int i = 0; i < images.size(); i++) {
        PartialEnsemble partial = PartialEnsemble.NONE;
        int early = -1;
        for (int e = 0; e < logits.exits().size(); e++) {
          partial = partial.after(logits.exits().get(e), logits.logits()[i][e], parts.weights().b().get(e));
          if (logits.exits().get(e) == 2) {
            early = partial.answer();
          }
        }
        same += partial.answer() == early ? 1 : 0;
      }
      return (double) same / images.size();
    } finally {
      parts.manager().close();
    }
  }

  @Test
  void auditedImagesGetOneAnswerAndTheirAgreementFallsOnNoise() {
    Running running = start(config(Map.of(AppConfig.AUDIT_RATE, "1")));
    TopologyTestDriver driver = running.driver();
    publish(driver, point(2, PointSetter.OPERATOR)); // every image leaves at stage 2, and every one is audited
    ImageSet images = TinyData.images(96, 11);
    ImageSet corrupted = noise(images, 3);
    List<Classification> answers = stream(driver, images, "clean");
    assertEquals(images.size(), answers.size(), "one answer per audited image, no second one");
    assertTrue(answers.stream().allMatch(c -> c.getExitStage() == 2));
    double[] clean = audit();
    assertEquals(images.size(), clean[0]);
    assertEquals(agreementOffline(images), clean[1] / clean[0], 1e-9,
        "the audit measures what the model does");

    List<Classification> noisy = stream(driver, corrupted, "noisy");
    assertEquals(corrupted.size(), noisy.size(), "one answer per audited image, no second one");
    double[] both = audit();
    double onNoise = (both[1] - clean[1]) / (both[0] - clean[0]);
    assertEquals(agreementOffline(corrupted), onNoise, 1e-9);
    assertTrue(onNoise < clean[1] / clean[0] - 0.1, "agreement on noise " + onNoise + " against "
        + clean[1] / clean[0] + " on clean images");
  }

  /** Images audited at exit 2 so far, and how many of them agreed. */
  private double[] audit() {
    return new double[] {meters.counter("aep.audit.images", "exit_stage", "2").count(),
        meters.counter("aep.audit.agreements", "exit_stage", "2").count()};
  }
}
