package io.aepstreams.model.data;

/** A dataset that cannot be read, with a message that names the file and what is wrong with it. */
public class DatasetException extends RuntimeException {
  public DatasetException(String message) {
    super(message);
  }

  public DatasetException(String message, Throwable cause) {
    super(message, cause);
  }
}
