package io.aepstreams.model.bundle;

/** A model bundle that cannot be read or does not fit what is asked of it. */
public class BundleException extends RuntimeException {
  public BundleException(String message) {
    super(message);
  }

  public BundleException(String message, Throwable cause) {
    super(message, cause);
  }
}
