package io.aepstreams.streams.dlq;

import io.aepstreams.records.SourceOffset;
import io.aepstreams.streams.runtime.PipelineMetrics;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.errors.ErrorHandlerContext;

/**
 * A dead-letter record: the failed record's key and value bytes, on the configured DLQ topic, with why and where in
 * its headers. Built for Kafka Streams' own dead-letter queue (KIP-1034), which produces what the exception handlers
 * return.
 */
public final class DeadLetters {
  public static final String REASON = "aep.error.reason";
  public static final String MESSAGE = "aep.error.message";
  public static final String EXCEPTION = "aep.error.exception";
  public static final String TOPIC = "aep.error.topic";
  public static final String PARTITION = "aep.error.partition";
  public static final String OFFSET = "aep.error.offset";
  public static final String PROCESSOR = "aep.error.processor";
  /** The id of the image a dead letter is for, where it is known (always, for an image that failed in a batch). */
  public static final String IMAGE_ID = "aep.error.image-id";

  private DeadLetters() {}

  /** The dead letter of the record {@code context} was processing: its raw bytes, as they were read. */
  public static ProducerRecord<byte[], byte[]> record(String dlqTopic, ErrorHandlerContext context, byte[] key,
      byte[] value, String reason, Throwable error) {
    ProducerRecord<byte[], byte[]> dead = new ProducerRecord<>(dlqTopic, null, key, value);
    context.headers().forEach(dead.headers()::add);
    describe(dead.headers(), reason, error, context.topic(), context.partition(), context.offset(),
        context.processorNodeId(), null);
    return dead;
  }

  /** The dead letter of one image of a batch, with its own record ({@code value}) and its own origin. */
  public static ProducerRecord<byte[], byte[]> record(String dlqTopic, ErrorHandlerContext context,
      FailedImage image, byte[] value) {
    ProducerRecord<byte[], byte[]> dead = new ProducerRecord<>(dlqTopic, null, image.key(), value);
    if (image.headers() != null) {
      image.headers().forEach(dead.headers()::add);
    }
    SourceOffset source = image.source();
    describe(dead.headers(), image.reason().name(), image.error(), source == null ? null : source.getTopic(),
        source == null ? -1 : source.getPartition(), source == null ? -1 : source.getOffset(),
        context.processorNodeId(), image.imageId());
    return dead;
  }

  /** Says why and where in {@code headers}, replacing what an earlier dead letter of the record said; counts it. */
  private static void describe(Headers headers, String reason, Throwable error, String topic, int partition,
      long offset, String processor, String imageId) {
    PipelineMetrics.deadLettered(reason);
    put(headers, REASON, reason);
    put(headers, MESSAGE, String.valueOf(error.getMessage()));
    put(headers, EXCEPTION, error.getClass().getName());
    put(headers, TOPIC, topic);
    put(headers, PARTITION, String.valueOf(partition));
    put(headers, OFFSET, String.valueOf(offset));
    put(headers, PROCESSOR, processor);
    if (imageId != null) {
      put(headers, IMAGE_ID, imageId);
    }
  }

  private static void put(Headers headers, String key, String value) {
    headers.remove(key);
    headers.add(key, value == null ? new byte[0] : value.getBytes(StandardCharsets.UTF_8));
  }

  /** A header's text, or null. */
  public static String header(Headers headers, String key) {
    var header = headers.lastHeader(key);
    return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
  }
}
