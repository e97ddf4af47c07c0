package io.aepstreams.streams.topics;

import java.util.Optional;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * A topic the pipeline needs: its name, what it carries, the largest record batch it must accept
 * ({@code max.message.bytes} at least this), the {@code compression.type} it is created with (empty: the
 * broker's default, which keeps what the producer sent), its own partition count where it does not take the
 * pipeline's, and whether it is compacted.
 */
public record TopicNeed(String name, String carries, long maxMessageBytes, Optional<String> compression,
    Optional<Integer> partitions, boolean compacted) {
  public TopicNeed(String name, String carries, long maxMessageBytes) {
    this(name, carries, maxMessageBytes, Optional.empty());
  }

  public TopicNeed(String name, String carries, long maxMessageBytes, Optional<String> compression) {
    this(name, carries, maxMessageBytes, compression, Optional.empty(), false);
  }

  /** A compacted topic of one partition, outside the pipeline's shared partition count: a topic of settings. */
  public static TopicNeed compactedSingle(String name, String carries, long maxMessageBytes) {
    return new TopicNeed(name, carries, maxMessageBytes, Optional.empty(), Optional.of(1), true);
  }

  /** Whether this topic takes the pipeline's shared partition count (keys stay in their partition number). */
  public boolean sharesPartitions() {
    return partitions.isEmpty();
  }

  /** Kafka's default {@code max.message.bytes}: topics that need no more are created without the setting. */
  public static final long KAFKA_DEFAULT_MAX_MESSAGE_BYTES = 1_048_588;
  /** What a record batch of one record adds to the record itself (batch header, varints), with room to spare. */
  static final long BATCH_OVERHEAD = 1024;

  /** The largest record (key, value and headers, as {@link #recordBytes} counts) a batch of one may carry here. */
  public long maxRecordBytes() {
    return maxMessageBytes - BATCH_OVERHEAD;
  }

  /** A record's size as this project counts it against {@link #maxRecordBytes}: key, value, header keys and values. */
  public static long recordBytes(byte[] key, byte[] value, Headers headers) {
    long size = (key == null ? 0 : key.length) + (value == null ? 0 : value.length);
    if (headers != null) {
      for (Header header : headers) {
        size += header.key().getBytes(java.nio.charset.StandardCharsets.UTF_8).length + (header.value() == null ? 0 : header.value().length);
      }
    }
    return size;
  }
}
