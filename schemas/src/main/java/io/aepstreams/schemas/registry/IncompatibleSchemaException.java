package io.aepstreams.schemas.registry;

/** The schema breaks the subject's compatibility rule and was not registered (HTTP 409). */
public class IncompatibleSchemaException extends SchemaRegistryException {
  public IncompatibleSchemaException(String message) {
    super(message, 409, 409, null);
  }
}
