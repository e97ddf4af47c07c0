package io.aepstreams.streams.embedded;

import io.aepstreams.embedded.EmbeddedKafka;
import io.aepstreams.schemas.registry.ApicurioRegistry;
import io.aepstreams.schemas.registry.SchemaRegistries;
import io.aepstreams.schemas.registry.SchemaRegistryClient;
import io.aepstreams.streams.config.AppConfig;
import io.aepstreams.streams.topics.TopicAdmin;
import io.aepstreams.streams.topics.TopicPlan;
import io.aepstreams.streams.topology.TinyBundle;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the integration tests run against: an in-JVM broker, a real registry (Apicurio) and a small trained bundle,
 * with the pipeline's topics created as {@code ./aep topics create} makes them.
 */
public final class LocalCluster implements AutoCloseable {
  public final EmbeddedKafka kafka;
  public final ApicurioRegistry registry;
  public final TinyBundle bundle;

  private LocalCluster(EmbeddedKafka kafka, ApicurioRegistry registry, TinyBundle bundle) {
    this.kafka = kafka;
    this.registry = registry;
    this.bundle = bundle;
  }

  /** Starts both servers, writes the bundle under {@code dir} and creates every topic with {@code partitions}. */
  public static LocalCluster start(Path dir, int partitions) throws IOException, InterruptedException {
    EmbeddedKafka kafka = EmbeddedKafka.start();
    ApicurioRegistry registry;
    try {
      registry = ApicurioRegistry.start();
    } catch (IOException | InterruptedException | RuntimeException e) {
      kafka.close();
      throw e;
    }
    LocalCluster cluster = new LocalCluster(kafka, registry, TinyBundle.write(dir.resolve("tiny")));
    cluster.createTopics(cluster.settings(), partitions);
    return cluster;
  }

  /** Creates every topic that {@code settings} name, with {@code partitions} partitions. */
  public void createTopics(Map<String, String> settings, int partitions) {
    AppConfig config = AppConfig.from(settings);
    try (TopicAdmin admin = TopicAdmin.connect(config.kafka())) {
      List<TopicAdmin.Problem> problems = admin.create(TopicPlan.all(config, bundle.manifest), partitions,
          Optional.of((short) 1));
      if (!problems.isEmpty()) {
        throw new IllegalStateException("topics not ready: " + problems);
      }
    }
  }

  /** As {@link #settings()}, with topics of their own: {@code <prefix>.images}, ... */
  public Map<String, String> settings(String topicPrefix) {
    Map<String, String> settings = settings();
    settings.put(AppConfig.TOPIC_IMAGES, topicPrefix + ".images");
    settings.put(AppConfig.TOPIC_CLASSIFICATIONS, topicPrefix + ".classifications");
    settings.put(AppConfig.TOPIC_STAGE_PREFIX, topicPrefix + ".stage-");
    settings.put(AppConfig.TOPIC_DLQ, topicPrefix + ".dlq");
    settings.put(AppConfig.TOPIC_CONTROL, topicPrefix + ".control");
    return settings;
  }

  /** Settings for an instance (or a client) of this cluster: the bundle, the brokers, the registry. */
  public Map<String, String> settings() {
    Map<String, String> settings = new HashMap<>();
    settings.put(AppConfig.MODEL, bundle.dir.toString());
    settings.put("bootstrap.servers", kafka.bootstrapServers());
    settings.put("schema.registry.url", registry.confluentUrl());
    settings.put("auto.offset.reset", "earliest");
    return settings;
  }

  /** A client of the registry, for registering schemas a test needs. */
  public SchemaRegistryClient registryClient() {
    return SchemaRegistries.connect(Map.of("schema.registry.url", registry.confluentUrl()));
  }

  @Override
  public void close() throws InterruptedException {
    registry.close();
    kafka.close();
  }
}
