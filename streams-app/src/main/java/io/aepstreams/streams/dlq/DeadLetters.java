package io.aepstreams.streams.dlq;

import io.aepstreams.streams.runtime.PipelineMetrics;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.errors.ErrorHandlerContext;

/**
 * A dead-letter record: the failed record's original key and value bytes, on the configured DLQ topic, with why and
 * where in its headers. Built for Kafka Streams' own dead-letter queue (KIP-1034), which produces what the
 * exception handlers return.
 */
public final class DeadLetters {
  public static final String REASON = "aep.error.reason";
  public static final String MESSAGE = "aep.error.message";
  public static final String EXCEPTION = "aep.error.exception";
  public static final String TOPIC = "aep.error.topic";
  public static final String PARTITION = "aep.error.partition";
  public static final String OFFSET = "aep.error.offset";
  public static final String PROCESSOR = "aep.error.processor";

  private DeadLetters() {}

  public static ProducerRecord<byte[], byte[]> record(String dlqTopic, ErrorHandlerContext context, byte[] key,
      byte[] value, String reason, Exception error) {
    PipelineMetrics.deadLettered(reason);
    ProducerRecord<byte[], byte[]> dead = new ProducerRecord<>(dlqTopic, null, key, value);
    Headers headers = dead.headers();
    context.headers().forEach(headers::add);
    put(headers, REASON, reason);
    put(headers, MESSAGE, String.valueOf(error.getMessage()));
    put(headers, EXCEPTION, error.getClass().getName());
    put(headers, TOPIC, context.topic());
    put(headers, PARTITION, String.valueOf(context.partition()));
    put(headers, OFFSET, String.valueOf(context.offset()));
    put(headers, PROCESSOR, context.processorNodeId());
    return dead;
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
