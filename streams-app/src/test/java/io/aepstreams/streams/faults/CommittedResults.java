package io.aepstreams.streams.faults;

import io.aepstreams.records.Classification;
import io.aepstreams.schemas.wire.AvroDeserializer;
import io.aepstreams.streams.dlq.DeadLetters;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads every committed result (read_committed) and every dead letter, counting answers per image id.
 *
 * <p>It reads without a consumer group: a group's member rereads from its last committed offset after a rebalance
 * or a coordinator move (a broker restart does both), and would count one committed answer twice. Each record is
 * also counted once by its (partition, offset), so a reread can never show up as a duplicate: what
 * {@link #answers()} calls a second answer is a second committed record for the same image.
 */
public final class CommittedResults implements AutoCloseable {
  private final KafkaConsumer<String, Classification> results;
  private final KafkaConsumer<byte[], byte[]> deadLetters;
  private final Map<String, Integer> answers = new HashMap<>();
  private final Map<String, Classification> latest = new HashMap<>();
  private final Set<String> resultRecords = new HashSet<>();
  private final Set<String> deadLetterRecords = new HashSet<>();
  private final Map<String, Integer> deadLetteredIds = new HashMap<>();
  private long rereads;

  public CommittedResults(String bootstrap, String registry, String resultsTopic, String dlqTopic) {
    Map<String, Object> config = new HashMap<>();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.put("schema.registry.url", registry);
    AvroDeserializer<Classification> values = AvroDeserializer.forClass(Classification.class);
    values.configure(config, false);
    results = new KafkaConsumer<>(config, new StringDeserializer(), values);
    assignFromTheStart(results, resultsTopic);
    deadLetters = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    assignFromTheStart(deadLetters, dlqTopic);
  }

  private static void assignFromTheStart(KafkaConsumer<?, ?> consumer, String topic) {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    List<TopicPartition> partitions = List.of();
    while (partitions.isEmpty() && System.nanoTime() < deadline) {
      partitions = consumer.partitionsFor(topic, Duration.ofSeconds(5)).stream()
          .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
    }
    if (partitions.isEmpty()) {
      throw new IllegalStateException("topic " + topic + " has no partitions after 30 s");
    }
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
  }

  private static String where(ConsumerRecord<?, ?> record) {
    return record.partition() + "@" + record.offset();
  }

  /** Reads what has been committed since the last call. */
  public void poll() {
    results.poll(Duration.ofMillis(200)).forEach(r -> {
      if (!resultRecords.add(where(r))) {
        rereads++;
        return;
      }
      answers.merge(r.value().getId().toString(), 1, Integer::sum);
      latest.put(r.value().getId().toString(), r.value());
    });
    deadLetters.poll(Duration.ofMillis(50)).forEach(r -> {
      if (!deadLetterRecords.add(where(r))) {
        rereads++;
        return;
      }
      String id = DeadLetters.header(r.headers(), DeadLetters.IMAGE_ID);
      if (id != null) {
        deadLetteredIds.merge(id, 1, Integer::sum);
      }
    });
  }

  /** Polls until at least {@code count} distinct images are answered, or {@code limit} passes. */
  public boolean awaitAnswered(int count, Duration limit) {
    long deadline = System.nanoTime() + limit.toNanos();
    while (answers.size() < count && System.nanoTime() < deadline) {
      poll();
    }
    return answers.size() >= count;
  }

  /** Polls until at least {@code count} distinct images are answered or dead-lettered, or {@code limit} passes. */
  public boolean awaitAccountedFor(int count, Duration limit) {
    long deadline = System.nanoTime() + limit.toNanos();
    while (accountedFor() < count && System.nanoTime() < deadline) {
      poll();
    }
    return accountedFor() >= count;
  }

  /**
   * Polls until {@code group}'s committed offsets on {@code topic} add up to {@code count}, or {@code limit}
   * passes; reads results meanwhile. Returns the sum it saw last.
   */
  public long awaitCommitted(Admin admin, String group, String topic, long count, Duration limit)
      throws InterruptedException, ExecutionException {
    long deadline = System.nanoTime() + limit.toNanos();
    long committed = 0;
    while (committed < count && System.nanoTime() < deadline) {
      committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().entrySet().stream()
          .filter(e -> e.getKey().topic().equals(topic)).mapToLong(e -> e.getValue().offset()).sum();
      poll();
    }
    return committed;
  }

  /**
   * Every record of {@code topic} from its start to its end as it is now ({@code readCommitted}: committed ones
   * only), for a check after the fact.
   */
  public static void readAll(String bootstrap, String topic, boolean readCommitted,
      java.util.function.Consumer<ConsumerRecord<byte[], byte[]>> each) {
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, readCommitted ? "read_committed" : "read_uncommitted"),
        new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      assignFromTheStart(consumer, topic);
      Map<TopicPartition, Long> end = consumer.endOffsets(consumer.assignment());
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (end.keySet().stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))
          && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(each);
      }
    }
  }

  /** Distinct images with an answer or a dead letter. */
  public int accountedFor() {
    Set<String> ids = new HashSet<>(answers.keySet());
    ids.addAll(deadLetteredIds.keySet());
    return ids.size();
  }

  /** How many committed answers each image got: distinct result records per image id. */
  public Map<String, Integer> answers() {
    return answers;
  }

  /** Images with more than one committed result record. */
  public long duplicated() {
    return answers.values().stream().filter(n -> n > 1).count();
  }

  /** The last committed answer of each image. */
  public Map<String, Classification> results() {
    return latest;
  }

  /** Distinct dead-letter records. */
  public long deadLettered() {
    return deadLetterRecords.size();
  }

  /** How many dead letters each image got, by the id the dead letter's own record carries. */
  public Map<String, Integer> deadLetteredIds() {
    return deadLetteredIds;
  }

  /** Records seen again at a (partition, offset) already counted: never counted twice, reported for the record. */
  public long rereads() {
    return rereads;
  }

  @Override
  public void close() {
    results.close();
    deadLetters.close();
  }
}
