package io.aepstreams.streams.dlq;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.EngineException;
import io.aepstreams.schemas.registry.IncompatibleSchemaException;
import io.aepstreams.schemas.registry.SchemaRegistryException;
import io.aepstreams.streams.decode.RejectedRecordException;
import io.aepstreams.records.ImageEncoding;
import io.aepstreams.records.ImageRecord;
import io.aepstreams.schemas.registry.InMemorySchemaRegistry;
import io.aepstreams.schemas.wire.AvroSerde;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
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
  void aFailureNoRecordCanBeBlamedForFailsTheTask() {
    // Thrown somewhere a batch is handled: the record in the context is only the one that happened to release it.
    ProcessingExceptionHandler.Response response = processing().handleError(CONTEXT, new Record<>("k", "v", 0L),
        new IllegalArgumentException("a bug in batch handling"));
    assertEquals(ProcessingExceptionHandler.Result.FAIL, response.result());
    assertEquals(List.of(), response.deadLetterQueueRecords());
  }

  @Test
  void eachFailedImageOfABatchIsDeadLetteredWithItsOwnRecordAndOrigin() {
    String scope = "dlq-" + java.util.UUID.randomUUID();
    DeadLetterHandlers.Processing handler = new DeadLetterHandlers.Processing();
    handler.configure(Map.of(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, "aep.dlq",
        "schema.registry.url", "mock://" + scope));
    List<FailedImage> failed = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ImageRecord image = ImageRecord.newBuilder().setId("img-" + i).setEncoding(ImageEncoding.RAW_U8)
          .setData(ByteBuffer.wrap(new byte[] {(byte) i})).setWidth(1).setHeight(1).setChannels(1).build();
      RecordHeaders headers = new RecordHeaders();
      headers.add("trace", ("t" + i).getBytes(StandardCharsets.UTF_8));
      failed.add(new FailedImage("img-" + i, ("key-" + i).getBytes(StandardCharsets.UTF_8), headers, image,
          "aep.images", null, new io.aepstreams.records.SourceOffset("aep.images", 0, 100L + i),
          RejectedRecordException.Reason.STAGE_FAILED,
          new IllegalStateException("stage 2 failed on img-" + i)));
    }
    // The context is the batch's last record's (or, from a punctuation, no record's): it must not be blamed.
    ProcessingExceptionHandler.Response response = handler.handleError(CONTEXT, null,
        new FailedImagesException(failed));
    assertEquals(ProcessingExceptionHandler.Result.RESUME, response.result());
    List<ProducerRecord<byte[], byte[]>> dead = response.deadLetterQueueRecords();
    assertEquals(3, dead.size());
    AvroSerde<ImageRecord> serde = new AvroSerde<>(ImageRecord.class);
    serde.configure(Map.of("schema.registry.url", "mock://" + scope), false);
    for (int i = 0; i < 3; i++) {
      ProducerRecord<byte[], byte[]> letter = dead.get(i);
      assertArrayEquals(("key-" + i).getBytes(StandardCharsets.UTF_8), letter.key());
      assertEquals("img-" + i, serde.deserializer().deserialize("aep.images", letter.value()).getId().toString());
      assertEquals("img-" + i, DeadLetters.header(letter.headers(), DeadLetters.IMAGE_ID));
      assertEquals("STAGE_FAILED", DeadLetters.header(letter.headers(), DeadLetters.REASON));
      assertEquals(String.valueOf(100 + i), DeadLetters.header(letter.headers(), DeadLetters.OFFSET));
      assertEquals("t" + i, DeadLetters.header(letter.headers(), "trace"));
    }
    InMemorySchemaRegistry.dropScope(scope);
  }

  @Test
  void aFailedWriteFailsTheTaskRatherThanBlamingTheRecordInTheContext() {
    DeadLetterHandlers.Production handler = new DeadLetterHandlers.Production();
    handler.configure(Map.of());
    ProducerRecord<byte[], byte[]> result = new ProducerRecord<>("aep.classifications", KEY, VALUE);
    assertEquals(ProductionExceptionHandler.Result.FAIL, handler.handleError(CONTEXT, result,
        new org.apache.kafka.common.errors.RecordTooLargeException("too large")).result());
    assertEquals(ProductionExceptionHandler.Result.FAIL, handler.handleSerializationError(CONTEXT, result,
        new SerializationException("cannot serialize"),
        ProductionExceptionHandler.SerializationExceptionOrigin.VALUE).result());
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
