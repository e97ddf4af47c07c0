package io.aepstreams.streams.topics;

/**
 * A topic the pipeline needs: its name, what it carries, and the largest record it must accept
 * ({@code max.message.bytes} at least this).
 */
public record TopicNeed(String name, String carries, long maxMessageBytes) {
  /** Kafka's default {@code max.message.bytes}: topics that need no more are created without the setting. */
  public static final long KAFKA_DEFAULT_MAX_MESSAGE_BYTES = 1_048_588;
}
