package io.aepstreams.streams.topology;

import io.aepstreams.streams.decode.RejectedRecordException;
import io.aepstreams.streams.decode.RejectedRecordException.Reason;
import io.aepstreams.streams.topics.TopicNeed;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Serialises the records a writer sends to one topic, and measures each against the topic's planned size, so that
 * a record that could not be written fails as its own image's fault, before it is sent: a failed send would
 * fail the whole transaction, and the handlers after it could not tell whose record it was.
 */
final class TopicWriter<T extends SpecificRecord> {
  private final TopicNeed topic;
  private final Serializer<T> serializer;

  TopicWriter(TopicNeed topic, Serializer<T> serializer) {
    this.topic = topic;
    this.serializer = serializer;
  }

  /** The bytes of {@code value}, checked to fit the topic with its key and headers. */
  byte[] bytes(byte[] key, T value, Headers headers) {
    byte[] bytes = serializer.serialize(topic.name(), headers, value);
    long size = TopicNeed.recordBytes(key, bytes, headers);
    if (size > topic.maxRecordBytes()) {
      throw new RejectedRecordException(Reason.RECORD_TOO_LARGE, "a record of " + size + " bytes for "
          + topic.name() + ", which takes " + topic.maxRecordBytes() + " (" + topic.carries() + ")");
    }
    return bytes;
  }
}
