package io.aepstreams.schemas.registry;

/**
 * The registry refused a request or could not be reached. Not a {@code SerializationException} on purpose: an
 * unreachable registry is an infrastructure failure to retry or fail on, never a reason to dead-letter a record.
 */
public class SchemaRegistryException extends RuntimeException {
  private final int httpStatus;
  private final int errorCode;

  public SchemaRegistryException(String message, int httpStatus, int errorCode, Throwable cause) {
    super(message, cause);
    this.httpStatus = httpStatus;
    this.errorCode = errorCode;
  }

  public SchemaRegistryException(String message, Throwable cause) {
    this(message, -1, -1, cause);
  }

  /** HTTP status of the registry's answer, or -1 when there was none (connection failure, timeout). */
  public int httpStatus() {
    return httpStatus;
  }

  /** The registry's {@code error_code} (for example 40403), or -1 when it gave none. */
  public int errorCode() {
    return errorCode;
  }
}
