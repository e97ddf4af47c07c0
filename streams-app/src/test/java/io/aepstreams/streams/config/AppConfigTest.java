package io.aepstreams.streams.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aepstreams.model.policy.Confidence;
import io.aepstreams.model.policy.ExitPolicy;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class AppConfigTest {

  @Test
  void applicationKeysAndKafkaPassThrough() {
    AppConfig config = AppConfig.from(Map.of(AppConfig.MODEL, "m", AppConfig.STAGES, "2-4",
        AppConfig.TOPIC_DLQ, "dead", "bootstrap.servers", "b:9092", "security.protocol", "SASL_SSL"));
    assertEquals(Path.of("m"), config.model());
    assertEquals(Optional.of(new StageRange(2, 4)), config.stages());
    assertEquals("dead", config.topics().dlq());
    assertEquals("aep.images", config.topics().images());
    assertEquals(Map.of("bootstrap.servers", "b:9092", "security.protocol", "SASL_SSL"), config.kafka());
    assertEquals("aep-streams-stages-2-4", config.applicationId(config.stages().get()));
    assertEquals("aep.stage-3", config.topics().stage(3));
  }

  @Test
  void policies() {
    assertEquals(Optional.empty(), AppConfig.policy(null, null));
    assertEquals(Optional.empty(), AppConfig.policy("bundle", null));
    assertEquals(Optional.of(ExitPolicy.off(Confidence.MARGIN)), AppConfig.policy("off", "margin"));
    assertEquals(Optional.of(new ExitPolicy(Confidence.MAX_SOFTMAX, Map.of(1, 0.9, 3, 0.5))),
        AppConfig.policy("1:0.9, 3:0.5", null));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AppConfig.policy("1=0.9", null));
    assertTrue(e.getMessage().startsWith("aep.policy must be bundle, off, or stage:threshold pairs"));
    assertThrows(IllegalArgumentException.class, () -> AppConfig.policy("off", "certainty"));
  }

  @Test
  void environmentOverridesTheFile() {
    Properties file = new Properties();
    file.setProperty("bootstrap.servers", "file:9092");
    file.setProperty("aep.stages", "1");
    AppConfig config = AppConfig.from(AppConfig.layered(file, Map.of("AEP_CONFIG_BOOTSTRAP_SERVERS", "env:9092",
        "AEP_CONFIG_AEP_MODEL", "/models/m", "AEP_CONFIG_AEP_DECODE_MAX__PIXELS", "100", "PATH", "/bin")));
    assertEquals("env:9092", config.kafka().get("bootstrap.servers"));
    assertEquals(Path.of("/models/m"), config.model());
    assertEquals(100, config.limits().maxPixels());
    assertEquals(Optional.of(new StageRange(1, 1)), config.stages());
  }

  @Test
  void mistakesAreNamed() {
    assertEquals("aep.model is required: the model bundle (directory or .zip)",
        assertThrows(IllegalArgumentException.class, () -> AppConfig.from(Map.of())).getMessage());
    assertEquals("stage range must look like 1 or 2-4, got 'two'",
        assertThrows(IllegalArgumentException.class, () -> StageRange.parse("two")).getMessage());
    assertThrows(IllegalArgumentException.class, () -> StageRange.parse("3-2"));
    assertEquals("aep.decode.max-pixels must be a whole number, got 'lots'", assertThrows(
        IllegalArgumentException.class, () -> AppConfig.from(Map.of(AppConfig.MODEL, "m", AppConfig.MAX_PIXELS,
            "lots"))).getMessage());
  }

  @Test
  void deeperStagesWaitToRefillTheirBatchesByTheSharesOfImagesReachingThem() {
    Batching batching = AppConfig.from(Map.of(AppConfig.MODEL, "m")).batching();
    assertEquals(Batching.DEFAULT_REFILL_MAX_DELAY_MS, batching.refillMaxDelayMs());
    // half the images leave at exit 1, a quarter at 2: stage 2 fills at half the rate, stage 3 at a quarter
    Map<Integer, Double> shares = Map.of(1, 0.5, 2, 0.25, 4, 0.25);
    assertEquals(5, batching.refillDelayMs(shares, 2), "5 ms * (1/0.5 - 1)");
    assertEquals(15, batching.refillDelayMs(shares, 3), "5 ms * (1/0.25 - 1)");
    assertEquals(0, batching.refillDelayMs(shares, 4), "no exit at stage 3: its batches come on whole");
    assertEquals(20, batching.refillDelayMs(Map.of(1, 0.95, 4, 0.05), 2), "at most the cap");
    assertEquals(0, batching.refillDelayMs(Map.of(4, 1.0), 2), "no image leaves before it: nothing to wait for");
    assertEquals(0, batching.refillDelayMs(Map.of(), 3), "shares unknown");
    AppConfig set = AppConfig.from(Map.of(AppConfig.MODEL, "m", AppConfig.BATCH_REFILL_MAX_DELAY_MS, "0",
        AppConfig.BATCH_REFILL_DELAY_MS, "3:40"));
    assertEquals(0, set.batching().refillDelayMs(shares, 2), "0: off");
    assertEquals(40, set.batching().refillDelayMs(shares, 3), "a stage's own delay beats the derived one");
    assertEquals(0, AppConfig.from(Map.of(AppConfig.MODEL, "m", AppConfig.BATCH_MAX_SIZE, "1")).batching()
        .refillDelayMs(shares, 2), "nothing batches, nothing waits");
    assertEquals("aep.batch.refill-delay-ms must be stage:ms pairs like 3:10,4:20; got '3=40'", assertThrows(
        IllegalArgumentException.class, () -> AppConfig.from(Map.of(AppConfig.MODEL, "m",
            AppConfig.BATCH_REFILL_DELAY_MS, "3=40"))).getMessage());
    assertEquals("aep.batch.refill-delay-ms takes stage:ms pairs for stages 2 and deeper, each 0 or more ms; got 1:5",
        assertThrows(IllegalArgumentException.class, () -> AppConfig.from(Map.of(AppConfig.MODEL, "m",
            AppConfig.BATCH_REFILL_DELAY_MS, "1:5"))).getMessage());
    assertEquals("aep.batch.refill-max-delay-ms must be a whole number of milliseconds, got 'long'", assertThrows(
        IllegalArgumentException.class, () -> AppConfig.from(Map.of(AppConfig.MODEL, "m",
            AppConfig.BATCH_REFILL_MAX_DELAY_MS, "long"))).getMessage());
  }

  @Test
  void batching() {
    assertEquals(Batching.DEFAULT, AppConfig.from(Map.of(AppConfig.MODEL, "m")).batching());
    AppConfig config = AppConfig.from(Map.of(AppConfig.MODEL, "m", AppConfig.BATCH_MAX_SIZE, "64",
        AppConfig.BATCH_MAX_DELAY_MS, "20"));
    assertEquals(new Batching(64, 20), config.batching());
    assertTrue(config.batching().waits());
    assertTrue(!AppConfig.from(Map.of(AppConfig.MODEL, "m", AppConfig.BATCH_MAX_SIZE, "1")).batching().waits(),
        "a batch of one never waits");
    assertEquals("aep.batch.max-size must be positive, got 0", assertThrows(IllegalArgumentException.class,
        () -> AppConfig.from(Map.of(AppConfig.MODEL, "m", AppConfig.BATCH_MAX_SIZE, "0"))).getMessage());
    assertEquals("aep.batch.max-delay-ms must be a whole number, got 'soon'", assertThrows(
        IllegalArgumentException.class, () -> AppConfig.from(Map.of(AppConfig.MODEL, "m",
            AppConfig.BATCH_MAX_DELAY_MS, "soon"))).getMessage());
  }

  @Test
  void printedSettingsHideCredentials() {
    AppConfig config = AppConfig.from(java.util.Map.of(AppConfig.MODEL, "m",
        "sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\" "
            + "password=\"pw-123\";",
        "basic.auth.user.info", "reg:pw-456", "schema.registry.url", "https://reg:pw-789@registry:8081"));
    String printed = config.toString();
    for (String secret : new String[] {"pw-123", "pw-456", "pw-789"}) {
      org.junit.jupiter.api.Assertions.assertFalse(printed.contains(secret), printed);
    }
    org.junit.jupiter.api.Assertions.assertTrue(printed.contains("sasl.jaas.config=[hidden]"), printed);
  }
}
