package io.aepstreams.schemas.registry;

import java.util.Objects;
import org.apache.avro.Schema;

/** One version of a subject: what {@code GET /subjects/{subject}/versions/latest} answers. */
public record RegisteredSchema(String subject, int version, int id, Schema schema) {
  public RegisteredSchema {
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(schema, "schema");
  }
}
