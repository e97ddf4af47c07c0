package io.aepstreams.streams.dlq;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.EngineException;
import io.aepstreams.schemas.registry.IncompatibleSchemaException;
import io.aepstreams.schemas.registry.SchemaRegistryException;
import io.aepstreams.streams.decode.RejectedRecordException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.Test;

class DeadLetterHandlersTest {
  private static final byte[] KEY = "img-7".getBytes(StandardCharsets.UTF_8);
  private static final byte[] VALUE = {0, 0, 0, 0, 1, 42};

  private static DeadLetterHandlers.Processing processing() {
    DeadLetterHandlers.Processing handler = new DeadLetterHandlers.Processing();
    handler.configure(Map.of(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, "aep.dlq"));
    return handler;
  }

  @Test
  void aRegistryFailureWhileWritingAResultFailsTheTaskAndDeadLettersNothing() {
    // As Kafka Streams hands it over: the sink's serializer threw, the collector wrapped it.
    SchemaRegistryException outage = new SchemaRegistryException("cannot reach the Schema Registry", null);
    for (Exception wrapped : List.of(outage, new StreamsException("Error encountered sending record",
        new SerializationException("cannot serialize", outage)),
        new StreamsException(new IncompatibleSchemaException("HTTP 409 already exists")))) {
      ProcessingExceptionHandler.Response response = processing().handleError(CONTEXT, new Record<>("k", "v", 0L),
          wrapped);
      assertEquals(ProcessingExceptionHandler.Result.FAIL, response.result(), wrapped.toString());
      assertEquals(List.of(), response.deadLetterQueueRecords());
    }
  }

  @Test
  void failuresOfTheEngineOrOfAnEarlierWriteAreNotTheRecordsFault() {
    for (Exception notItsFault : List.of(new EngineException("the model's NDManager is closed"),
        new StreamsException("Error encountered sending record to topic aep.classifications: a previous send failed",
            new org.apache.kafka.common.errors.TimeoutException("expired")),
        new RuntimeException("wrapped", new OutOfMemoryError("CUDA out of memory")))) {
      ProcessingExceptionHandler.Response response = processing().handleError(CONTEXT, new Record<>("k", "v", 0L),
          notItsFault);
      assertEquals(ProcessingExceptionHandler.Result.FAIL, response.result(), notItsFault.toString());
      assertEquals(List.of(), response.deadLetterQueueRecords());
    }
  }

  @Test
  void anUnexpectedFailureOnOneRecordDeadLettersThatRecord() {
    ProcessingExceptionHandler.Response response = processing().handleError(CONTEXT, new Record<>("k", "v", 0L),
        new IllegalArgumentException("an image no test foresaw"));
    assertEquals(ProcessingExceptionHandler.Result.RESUME, response.result());
    assertEquals("PROCESSING_FAILED", DeadLetters.header(response.deadLetterQueueRecords().get(0).headers(),
        DeadLetters.REASON));
  }

  @Test
  void aRejectedRecordGoesToTheDeadLetterQueueWithItsReason() {
    ProcessingExceptionHandler.Response response = processing().handleError(CONTEXT, new Record<>("k", "v", 0L),
        new RejectedRecordException(RejectedRecordException.Reason.TOO_MANY_PIXELS, "too many pixels"));
    assertEquals(ProcessingExceptionHandler.Result.RESUME, response.result());
    ProducerRecord<byte[], byte[]> dead = response.deadLetterQueueRecords().get(0);
    assertEquals("aep.dlq", dead.topic());
    assertArrayEquals(KEY, dead.key());
    assertArrayEquals(VALUE, dead.value());
    assertEquals("TOO_MANY_PIXELS", DeadLetters.header(dead.headers(), DeadLetters.REASON));
  }

  private static final ErrorHandlerContext CONTEXT = new ErrorHandlerContext() {
    @Override
    public String topic() {
      return "aep.images";
    }

    @Override
    public int partition() {
      return 1;
    }

    @Override
    public long offset() {
      return 17;
    }

    @Override
    public Headers headers() {
      return new RecordHeaders();
    }

    @Override
    public String processorNodeId() {
      return "stage-4";
    }

    @Override
    public TaskId taskId() {
      return new TaskId(0, 1);
    }

    @Override
    public long timestamp() {
      return 0;
    }

    @Override
    public byte[] sourceRawKey() {
      return KEY;
    }

    @Override
    public byte[] sourceRawValue() {
      return VALUE;
    }
  };
}
