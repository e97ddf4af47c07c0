package io.aepstreams.streams.dlq;

import ai.djl.engine.EngineException;
import io.aepstreams.schemas.registry.SchemaRegistryException;
import io.aepstreams.schemas.wire.WireFormatException;
import io.aepstreams.streams.decode.RejectedRecordException;
import io.aepstreams.schemas.wire.AvroSerde;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
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

  /**
   * Failures inside the topology. A record that a per-record processor rejected (a bad image, a hand-off of another
   * model version or shape) is dead-lettered as it was read. The images of a batch that failed are dead-lettered
   * each on its own, with the record it entered the instance as ({@link FailedImagesException}): the rest of the
   * batch has gone on by then. Anything else cannot be pinned on one record, and fails the task: nothing of it is
   * committed, and its batch is processed again.
   */
  public static final class Processing implements ProcessingExceptionHandler {
    private String dlq;
    private Map<String, ?> configs;
    private final Map<Class<?>, AvroSerde<?>> serdes = new HashMap<>();

    @Override
    public void configure(Map<String, ?> configs) {
      dlq = dlqTopic(configs);
      this.configs = configs;
    }

    @Override
    public Response handleError(ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
      // A batch's failures were judged image by image where they happened: dead-letter each.
      FailedImagesException failed = find(exception, FailedImagesException.class);
      if (failed != null) {
        List<ProducerRecord<byte[], byte[]>> dead = new ArrayList<>();
        for (FailedImage image : failed.images()) {
          LOG.warn("dead-lettering image '{}' at {}: {} ({})", image.imageId(), context.processorNodeId(),
              image.reason(), image.error().toString());
          dead.add(DeadLetters.record(dlq, context, image, valueOf(image)));
        }
        return Response.resume(dead);
      }
      Throwable infrastructure = notTheRecordsFault(exception);
      if (infrastructure != null) {
        // Failing the task leaves the record uncommitted, so it is processed again (after a restart, if need be)
        // rather than lost to the dead-letter queue or blamed for another record's failed write.
        LOG.error("processor {} could not finish {}-{}@{}, not through the record's fault: {}",
            context.processorNodeId(), context.topic(), context.partition(), context.offset(),
            infrastructure.toString());
        return Response.fail();
      }
      RejectedRecordException rejected = find(exception, RejectedRecordException.class);
      if (rejected != null) {
        LOG.warn("dead-lettering {}-{}@{}: {}", context.topic(), context.partition(), context.offset(),
            rejected.getMessage());
        return Response.resume(List.of(DeadLetters.record(dlq, context, context.sourceRawKey(),
            context.sourceRawValue(), rejected.reason().name(), rejected)));
      }
      LOG.error("processor {} failed at {}-{}@{} in a way no single record can be blamed for: failing the task, "
          + "so that its work is done again", context.processorNodeId(), context.topic(), context.partition(),
          context.offset(), exception);
      return Response.fail();
    }

    /** The image's record in the wire format it was read in, or what a store held of it. */
    @SuppressWarnings("unchecked")
    private byte[] valueOf(FailedImage image) {
      if (image.entered() == null) {
        return image.storedBytes();
      }
      AvroSerde<SpecificRecord> serde = (AvroSerde<SpecificRecord>) serdes.computeIfAbsent(
          image.entered().getClass(), type -> {
            AvroSerde<SpecificRecord> created = new AvroSerde<>((Class<SpecificRecord>) type);
            created.configure(configs, false);
            return created;
          });
      return serde.serializer().serialize(image.enteredTopic(), image.entered());
    }
  }

  private static <T extends Throwable> T find(Throwable exception, Class<T> type) {
    for (Throwable t = exception; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
    }
    return null;
  }

  /**
   * The failure behind {@code exception} that is not the record's fault, or null: the registry (an outage, a
   * refusal), the engine (a closed model, a device out of memory), a JVM error, or Kafka itself (a write that failed
   * earlier resurfaces at the next write, which belongs to another record). A serialisation error is the record's
   * unless the registry is behind it. The one rule for every processor and handler.
   */
  public static Throwable notTheRecordsFault(Throwable exception) {
    for (Throwable t = exception; t != null; t = t.getCause()) {
      if (t instanceof SchemaRegistryException || t instanceof EngineException || t instanceof Error
          || (t instanceof KafkaException && !(t instanceof SerializationException))) {
        return t;
      }
    }
    return null;
  }

  /**
   * A write that failed. Every result and hand-off is serialised and measured against its topic's limit before it
   * is sent, and an image whose record would not fit is dead-lettered then, on its own (RECORD_TOO_LARGE); so a
   * write that fails here is not one record's fault (a topic smaller than planned, a broker refusing), and under
   * exactly-once the producer could not commit after it anyway. It fails the task: nothing is committed, and the
   * work is done again once the cause is fixed.
   */
  public static final class Production implements ProductionExceptionHandler {
    @Override
    public void configure(Map<String, ?> configs) {}

    @Override
    public Response handleError(ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record,
        Exception exception) {
      LOG.error("cannot write to {}: {}; failing the task. If a topic is too small for what the model writes, "
          + "`aep topics check` says so and `aep topics create` raises it", record.topic(), exception.toString());
      return Response.fail();
    }

    @Override
    @SuppressWarnings("rawtypes")
    public Response handleSerializationError(ErrorHandlerContext context, ProducerRecord record, Exception exception,
        SerializationExceptionOrigin origin) {
      LOG.error("cannot serialize a record for {}: {}; failing the task", record.topic(), exception.toString());
      return Response.fail();
    }
  }
}
