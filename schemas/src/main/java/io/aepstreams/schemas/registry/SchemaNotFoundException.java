package io.aepstreams.schemas.registry;

/** The registry does not know the schema id, subject or version asked for (HTTP 404). */
public class SchemaNotFoundException extends SchemaRegistryException {
  public SchemaNotFoundException(String message, int errorCode) {
    super(message, 404, errorCode, null);
  }
}
