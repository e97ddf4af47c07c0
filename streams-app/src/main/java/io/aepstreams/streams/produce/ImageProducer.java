package io.aepstreams.streams.produce;

import io.aepstreams.model.data.ImageSet;
import io.aepstreams.records.ImageEncoding;
import io.aepstreams.records.ImageRecord;
import io.aepstreams.schemas.wire.AvroSerializer;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Sends images to the images topic as ImageRecords (RAW_U8, channels last) on the Confluent wire format, keyed by
 * their id, at a chosen rate. What {@code ./aep produce} and the demo use.
 */
public final class ImageProducer implements AutoCloseable {
  private final KafkaProducer<byte[], ImageRecord> producer;
  private final String topic;
  private final AtomicLong failures = new AtomicLong();
  private final AtomicReference<Exception> firstFailure = new AtomicReference<>();

  /** {@code settings}: Kafka producer settings and the registry's ({@code schema.registry.url}, ...). */
  public ImageProducer(Map<String, Object> settings, String topic) {
    Map<String, Object> config = new HashMap<>(settings);
    config.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 5);
    config.putIfAbsent(ProducerConfig.ACKS_CONFIG, "all");
    AvroSerializer<ImageRecord> values = new AvroSerializer<>();
    values.configure(config, false);
    this.producer = new KafkaProducer<>(config, new ByteArraySerializer(), values);
    this.topic = topic;
  }

  /** The record for image {@code index} of {@code images}, with id {@code id}, stamped now. */
  public static ImageRecord record(ImageSet images, int index, String id) {
    int plane = images.height() * images.width();
    int channels = images.channels();
    byte[] chw = new byte[images.imageBytes()];
    System.arraycopy(images.pixels(), index * chw.length, chw, 0, chw.length);
    byte[] hwc = chw;
    if (channels > 1) {
      hwc = new byte[chw.length];
      for (int p = 0; p < plane; p++) {
        for (int c = 0; c < channels; c++) {
          hwc[p * channels + c] = chw[c * plane + p];
        }
      }
    }
    return ImageRecord.newBuilder().setId(id).setEncoding(ImageEncoding.RAW_U8)
        .setData(ByteBuffer.wrap(hwc)).setWidth(images.width()).setHeight(images.height()).setChannels(channels)
        .setLabel(images.labels()[index]).setSentAt(Instant.now()).build();
  }

  /**
   * Sends {@code count} images from {@code images} (cycling if count is larger) at up to {@code perSecond} images a
   * second (0: as fast as possible), reporting each sent count to {@code progress}. The i-th image sent has id
   * {@code prefix + i}, so ids stay unique when the set is cycled.
   */
  public void send(ImageSet images, int count, double perSecond, String prefix, LongConsumer progress)
      throws InterruptedException {
    long start = System.nanoTime();
    for (int i = 0; i < count; i++) {
      if (perSecond > 0) {
        long due = start + (long) (i * 1e9 / perSecond);
        long wait = due - System.nanoTime();
        if (wait > 0) {
          Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        }
      }
      ImageRecord record = record(images, i % images.size(), prefix + i);
      producer.send(new ProducerRecord<>(topic, record.getId().getBytes(java.nio.charset.StandardCharsets.UTF_8),
          record), (metadata, error) -> {
            if (error != null) {
              failures.incrementAndGet();
              firstFailure.compareAndSet(null, error);
            }
          });
      progress.accept(i + 1);
    }
    producer.flush();
  }

  /** Sends that the broker refused. */
  public long failures() {
    return failures.get();
  }

  /** Why the first refused send failed, if one did. */
  public Optional<Exception> firstFailure() {
    return Optional.ofNullable(firstFailure.get());
  }

  @Override
  public void close() {
    producer.close();
  }
}
