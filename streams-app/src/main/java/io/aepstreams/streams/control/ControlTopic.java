package io.aepstreams.streams.control;

import io.aepstreams.model.bundle.Manifest;
import io.aepstreams.model.policy.OperatingPoint;
import io.aepstreams.records.ExitControl;
import io.aepstreams.records.PointSetter;
import io.aepstreams.schemas.wire.AvroDeserializer;
import io.aepstreams.schemas.wire.AvroSerializer;
import io.aepstreams.streams.config.AppConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Writes and reads the control topic from outside the stream: what {@code ./aep thresholds} and the load
 * controller publish, and what {@code thresholds show} reads back. Records are keyed by model version; the topic
 * is compacted, so the newest record per version is what a starting instance applies.
 */
public final class ControlTopic implements AutoCloseable {
  static final Duration TIMEOUT = Duration.ofSeconds(15);
  private final Map<String, Object> settings;
  private final String topic;
  private KafkaProducer<String, ExitControl> producer;

  public ControlTopic(AppConfig config) {
    this.settings = new HashMap<>(config.kafka());
    this.topic = config.topics().control();
  }

  public String topic() {
    return topic;
  }

  /** The record that puts point {@code index} of {@code manifest}'s ladder in force. */
  public static ExitControl record(Manifest manifest, int index, int basePoint, PointSetter setBy, String reason) {
    OperatingPoint point = manifest.operatingPoints().get(index);
    return ExitControl.newBuilder().setModelName(manifest.name()).setModelVersion(manifest.version())
        .setPoint(index).setBasePoint(basePoint).setBudgetPoints(point.budgetPoints()).setSetBy(setBy)
        .setReason(reason).setSetAt(Instant.now()).build();
  }

  /** Sends {@code control} and waits until the broker has it. */
  public void publish(ExitControl control) {
    try {
      producer().send(new ProducerRecord<>(topic, control.getModelVersion(), control))
          .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot publish to " + topic + ": " + e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("cannot publish to " + topic + ": no answer within " + TIMEOUT);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while publishing to " + topic);
    }
  }

  private synchronized KafkaProducer<String, ExitControl> producer() {
    if (producer == null) {
      Map<String, Object> config = new HashMap<>(settings);
      config.put(ProducerConfig.ACKS_CONFIG, "all");
      config.putIfAbsent(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
      config.putIfAbsent(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis() / 2);
      config.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) TIMEOUT.toMillis());
      AvroSerializer<ExitControl> values = new AvroSerializer<>();
      values.configure(config, false);
      producer = new KafkaProducer<>(AppConfig.forClient(config, ProducerConfig.configNames()),
          new StringSerializer(), values);
    }
    return producer;
  }

  /**
   * The newest record for model version {@code version}, read from the start of the topic to its end; empty when
   * there is none (the bundle's own point is in force). Records that cannot be read are skipped.
   */
  public Optional<ExitControl> newest(String version) {
    Map<String, Object> config = AppConfig.forClient(settings, ConsumerConfig.configNames());
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.remove(ConsumerConfig.GROUP_ID_CONFIG);
    AvroDeserializer<ExitControl> values = AvroDeserializer.forClass(ExitControl.class);
    values.configure(settings, false);
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
        new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic, TIMEOUT).stream()
          .map(p -> new TopicPartition(topic, p.partition())).toList();
      if (partitions.isEmpty()) {
        throw new IllegalStateException("topic " + topic + " does not exist: ./aep topics create makes it");
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions, TIMEOUT);
      byte[] newest = null;
      long deadline = System.nanoTime() + TIMEOUT.toNanos();
      while (partitions.stream().anyMatch(p -> consumer.position(p, TIMEOUT) < end.get(p))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("cannot read " + topic + " to its end within " + TIMEOUT);
        }
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          if (version.equals(record.key())) {
            newest = record.value();
          }
        }
      }
      if (newest == null) {
        return Optional.empty();
      }
      try {
        return Optional.of(values.deserialize(topic, newest));
      } catch (RuntimeException e) {
        return Optional.empty();
      }
    }
  }

  @Override
  public void close() {
    if (producer != null) {
      producer.close(Duration.ofSeconds(5));
    }
  }
}
