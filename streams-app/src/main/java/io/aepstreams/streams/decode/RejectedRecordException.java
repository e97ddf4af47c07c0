package io.aepstreams.streams.decode;

/**
 * A record the pipeline cannot use, with a reason code: the processing exception handler sends it to the
 * dead-letter queue with that reason in its headers, and the pipeline goes on.
 */
public class RejectedRecordException extends RuntimeException {

  /** Why a record was rejected; the value of the DLQ header {@code aep.error.reason}. */
  public enum Reason {
    PAYLOAD_TOO_LARGE,
    TOO_MANY_PIXELS,
    UNKNOWN_ENCODING,
    UNDECODABLE_IMAGE,
    BAD_DIMENSIONS,
    UNSUPPORTED_CHANNELS,
    MODEL_VERSION_MISMATCH,
    WRONG_STAGE,
    TENSOR_SHAPE_MISMATCH,
    MALFORMED_TENSOR,
    /** A record with no value: nothing to classify, dead-lettered so that it is counted and seen, not lost. */
    TOMBSTONE,
    /** A processor reading one record failed on it in a way it did not foresee (a decoder's own error). */
    PROCESSING_FAILED,
    /** A stage's forward pass failed on this image when it ran alone (its batch failed, the others went on). */
    STAGE_FAILED,
    /** The image's result or hand-off could not be built or serialised. */
    UNWRITABLE_RESULT,
    /** The image's result or hand-off is larger than its topic takes. */
    RECORD_TOO_LARGE,
    /** A waiting image stored by an earlier run that this version cannot read back at all. */
    UNRESTORABLE
  }

  private final Reason reason;

  public RejectedRecordException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public RejectedRecordException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }

  /** The rejection of a record without a value on the topic {@code context} is reading. */
  public static RejectedRecordException tombstone(org.apache.kafka.streams.processor.api.ProcessorContext<?, ?> context) {
    String where = context.recordMetadata().map(m -> m.topic() + "-" + m.partition() + "@" + m.offset())
        .orElse("a record");
    return new RejectedRecordException(Reason.TOMBSTONE, where + " has no value (a tombstone): nothing to classify");
  }
}
