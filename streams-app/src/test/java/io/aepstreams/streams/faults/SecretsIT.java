package io.aepstreams.streams.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aepstreams.records.Classification;
import io.aepstreams.schemas.registry.ApicurioRegistry;
import io.aepstreams.schemas.wire.AvroDeserializer;
import io.aepstreams.streams.config.AppConfig;
import io.aepstreams.embedded.EmbeddedKafka;
import io.aepstreams.streams.produce.ImageProducer;
import io.aepstreams.streams.topics.TopicAdmin;
import io.aepstreams.streams.topics.TopicPlan;
import io.aepstreams.streams.topology.TinyBundle;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./aep run} against a broker that asks for SASL/PLAIN, with registry credentials too: it works with the right
 * password, fails with a wrong one, and neither run's output holds a password, whatever it logs.
 */
@Tag("fault-harness")
class SecretsIT {
  private static final String KAFKA_PASSWORD = "kafka-pw-" + UUID.randomUUID();
  private static final String WRONG_PASSWORD = "wrong-pw-" + UUID.randomUUID();
  private static final String REGISTRY_PASSWORD = "registry-pw-" + UUID.randomUUID();
  private static final String URL_PASSWORD = "url-pw-" + UUID.randomUUID();
  @TempDir Path dir;

  @Test
  void credentialsWorkAndNeverReachTheLogs() throws Exception {
    TinyBundle bundle = TinyBundle.write(dir.resolve("tiny"));
    try (EmbeddedKafka kafka = EmbeddedKafka.startWithSaslPlain(Map.of("admin", "admin-pw", "aep", KAFKA_PASSWORD));
        ApicurioRegistry registry = ApicurioRegistry.start()) {
      Map<String, String> settings = new HashMap<>(EmbeddedKafka.clientSecurity("aep", KAFKA_PASSWORD));
      settings.put(AppConfig.MODEL, bundle.dir.toString());
      settings.put("bootstrap.servers", kafka.bootstrapServers());
      // Apicurio here asks for no credentials; the client sends them all the same, and must not print them.
      settings.put("schema.registry.url", registry.confluentUrl().replace("http://", "http://reg:" + URL_PASSWORD
          + "@"));
      settings.put("basic.auth.user.info", "reg:" + REGISTRY_PASSWORD);
      settings.put("auto.offset.reset", "earliest");
      AppConfig config = AppConfig.from(settings);
      try (TopicAdmin admin = TopicAdmin.connect(config.kafka())) {
        assertEquals(List.of(), admin.create(TopicPlan.all(config, bundle.manifest), 1, Optional.of((short) 1)));
      }

      Path goodLog = dir.resolve("good.log");
      try (InstanceProcess instance = InstanceProcess.start(goodLog, settings)) {
        Map<String, Object> clients = new HashMap<>(config.kafka());
        try (ImageProducer producer = new ImageProducer(clients, config.topics().images())) {
          producer.send(TinyBundle.IMAGES, 20, 0, "sasl-", sent -> { });
        }
        assertEquals(20, answered(clients, config.topics().classifications(), 20), instance.output());
        instance.terminate();
        assertEquals(143, instance.waitFor(Duration.ofSeconds(40)), instance.output());
      }

      Map<String, String> wrong = new HashMap<>(settings);
      wrong.putAll(EmbeddedKafka.clientSecurity("aep", WRONG_PASSWORD));
      Path wrongLog = dir.resolve("wrong.log");
      try (InstanceProcess instance = InstanceProcess.start(wrongLog, wrong)) {
        int exit = instance.waitFor(Duration.ofSeconds(60));
        assertNotEquals(0, exit, instance.output());
        assertNotEquals(-1, exit, "a wrong password stops the instance: " + instance.output());
        assertTrue(instance.output().toLowerCase().contains("authentication"), instance.output());
      }

      for (Path log : List.of(goodLog, wrongLog)) {
        String output = java.nio.file.Files.readString(log);
        for (String secret : List.of(KAFKA_PASSWORD, WRONG_PASSWORD, REGISTRY_PASSWORD, URL_PASSWORD)) {
          assertFalse(output.contains(secret), secret + " in " + log + ":\n" + output);
        }
      }
    }
  }

  private static int answered(Map<String, Object> clients, String topic, int expected) {
    Map<String, Object> config = new HashMap<>(clients);
    config.put(ConsumerConfig.GROUP_ID_CONFIG, "secrets-" + UUID.randomUUID());
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    AvroDeserializer<Classification> values = AvroDeserializer.forClass(Classification.class);
    values.configure(config, false);
    Set<String> ids = new HashSet<>();
    try (KafkaConsumer<byte[], Classification> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(),
        values)) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (ids.size() < expected && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(r -> ids.add(r.value().getId().toString()));
      }
    }
    return ids.size();
  }
}
