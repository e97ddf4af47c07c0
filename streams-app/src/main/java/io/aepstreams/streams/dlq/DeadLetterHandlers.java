package io.aepstreams.streams.dlq;

import ai.djl.engine.EngineException;
import io.aepstreams.schemas.registry.SchemaRegistryException;
import io.aepstreams.schemas.wire.WireFormatException;
import io.aepstreams.streams.decode.RejectedRecordException;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The exception handlers that send bad records to the dead-letter queue ({@code errors.dead.letter.queue.topic.name})
 * with a reason, so that the pipeline goes on and every good record still gets its result. What is not the
 * record's fault (an unreachable Schema Registry, a broker error) still fails the task, to be retried, rather than
 * dead-lettering good data.
 */
public final class DeadLetterHandlers {
  private static final Logger LOG = LoggerFactory.getLogger(DeadLetterHandlers.class);

  private DeadLetterHandlers() {}

  static String dlqTopic(Map<String, ?> configs) {
    Object topic = configs.get(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG);
    if (topic == null || topic.toString().isBlank()) {
      throw new IllegalStateException(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG + " is not set");
    }
    return topic.toString();
  }

  /** Unreadable payloads: not on the wire format, unknown schema, incompatible schema, truncated. */
  public static final class Deserialization implements DeserializationExceptionHandler {
    private String dlq;

    @Override
    public void configure(Map<String, ?> configs) {
      dlq = dlqTopic(configs);
    }

    @Override
    public Response handleError(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record,
        Exception exception) {
      if (exception instanceof WireFormatException wire) {
        LOG.warn("dead-lettering {}-{}@{}: {}", record.topic(), record.partition(), record.offset(),
            wire.getMessage());
        return Response.resume(List.of(DeadLetters.record(dlq, context, record.key(), record.value(),
            wire.reason().name(), wire)));
      }
      LOG.error("cannot deserialize {}-{}@{} and it is not the record's fault: failing", record.topic(),
          record.partition(), record.offset(), exception);
      return Response.fail();
    }
  }

  /** Records a processor rejected (bad image, wrong model version or shape), or failed on. */
  public static final class Processing implements ProcessingExceptionHandler {
    private String dlq;

    @Override
    public void configure(Map<String, ?> configs) {
      dlq = dlqTopic(configs);
    }

    @Override
    public Response handleError(ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
      String reason;
      Throwable infrastructure = notTheRecordsFault(exception);
      if (infrastructure != null) {
        // Failing the task leaves the record uncommitted, so it is processed again (after a restart, if need be)
        // rather than lost to the dead-letter queue or blamed for another record's failed write.
        LOG.error("processor {} could not finish {}-{}@{}, not through the record's fault: {}",
            context.processorNodeId(), context.topic(), context.partition(), context.offset(),
            infrastructure.toString());
        return Response.fail();
      }
      if (exception instanceof RejectedRecordException rejected) {
        reason = rejected.reason().name();
        LOG.warn("dead-lettering {}-{}@{}: {}", context.topic(), context.partition(), context.offset(),
            rejected.getMessage());
      } else {
        reason = "PROCESSING_FAILED";
        LOG.error("processor {} failed on {}-{}@{}: dead-lettering the record", context.processorNodeId(),
            context.topic(), context.partition(), context.offset(), exception);
      }
      return Response.resume(List.of(DeadLetters.record(dlq, context, context.sourceRawKey(),
          context.sourceRawValue(), reason, exception)));
    }
  }

  /**
   * The failure behind {@code exception} that is not the record's fault, or null: the registry (an outage, a
   * refusal), the engine (a closed model, a device out of memory), a JVM error, or Kafka itself (a write that failed
   * earlier resurfaces at the next write, which belongs to another record).
   */
  static Throwable notTheRecordsFault(Throwable exception) {
    for (Throwable t = exception; t != null; t = t.getCause()) {
      if (t instanceof SchemaRegistryException || t instanceof EngineException || t instanceof Error
          || t instanceof KafkaException) {
        return t;
      }
    }
    return null;
  }

  /** Results that cannot be written: too large for the topic, or not serialisable. */
  public static final class Production implements ProductionExceptionHandler {
    private String dlq;

    @Override
    public void configure(Map<String, ?> configs) {
      dlq = dlqTopic(configs);
    }

    @Override
    public Response handleError(ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record,
        Exception exception) {
      if (exception instanceof RecordTooLargeException) {
        LOG.warn("dead-lettering a result for {}: {}", record.topic(), exception.getMessage());
        return Response.resume(List.of(DeadLetters.record(dlq, context, context.sourceRawKey(),
            context.sourceRawValue(), "RECORD_TOO_LARGE", exception)));
      }
      return Response.fail();
    }

    @Override
    @SuppressWarnings("rawtypes")
    public Response handleSerializationError(ErrorHandlerContext context, ProducerRecord record, Exception exception,
        SerializationExceptionOrigin origin) {
      if (exception instanceof SerializationException) {
        return Response.resume(List.of(DeadLetters.record(dlq, context, context.sourceRawKey(),
            context.sourceRawValue(), "UNSERIALIZABLE_RESULT", exception)));
      }
      return Response.fail();
    }
  }
}
