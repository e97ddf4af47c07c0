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
    MALFORMED_TENSOR
  }

  private final Reason reason;

  public RejectedRecordException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
