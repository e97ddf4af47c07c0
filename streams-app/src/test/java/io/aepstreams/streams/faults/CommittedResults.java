package io.aepstreams.streams.faults;

import io.aepstreams.records.Classification;
import io.aepstreams.schemas.wire.AvroDeserializer;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Reads every committed result (read_committed), counting answers per image id, and the dead letters. */
public final class CommittedResults implements AutoCloseable {
  private final KafkaConsumer<String, Classification> results;
  private final KafkaConsumer<byte[], byte[]> deadLetters;
  private final Map<String, Integer> answers = new HashMap<>();
  private final Map<String, Classification> latest = new HashMap<>();
  private long deadLettered;

  public CommittedResults(String bootstrap, String registry, String resultsTopic, String dlqTopic) {
    Map<String, Object> config = new HashMap<>();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    config.put(ConsumerConfig.GROUP_ID_CONFIG, "check-" + UUID.randomUUID());
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.put("schema.registry.url", registry);
    AvroDeserializer<Classification> values = AvroDeserializer.forClass(Classification.class);
    values.configure(config, false);
    results = new KafkaConsumer<>(config, new StringDeserializer(), values);
    results.subscribe(List.of(resultsTopic));
    Map<String, Object> dlqConfig = new HashMap<>(config);
    dlqConfig.put(ConsumerConfig.GROUP_ID_CONFIG, "check-dlq-" + UUID.randomUUID());
    deadLetters = new KafkaConsumer<>(dlqConfig, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    deadLetters.subscribe(List.of(dlqTopic));
  }

  /** Reads what has been committed since the last call. */
  public void poll() {
    results.poll(Duration.ofMillis(200)).forEach(r -> {
      answers.merge(r.value().getId().toString(), 1, Integer::sum);
      latest.put(r.value().getId().toString(), r.value());
    });
    deadLettered += deadLetters.poll(Duration.ofMillis(50)).count();
  }

  /** Polls until at least {@code count} distinct images are answered, or {@code limit} passes. */
  public boolean awaitAnswered(int count, Duration limit) {
    long deadline = System.nanoTime() + limit.toNanos();
    while (answers.size() < count && System.nanoTime() < deadline) {
      poll();
    }
    return answers.size() >= count;
  }

  /** How many committed answers each image got. */
  public Map<String, Integer> answers() {
    return answers;
  }

  /** The last committed answer of each image. */
  public Map<String, Classification> results() {
    return latest;
  }

  public long deadLettered() {
    return deadLettered;
  }

  @Override
  public void close() {
    results.close();
    deadLetters.close();
  }
}
