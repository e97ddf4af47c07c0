package io.aepstreams.schemas.registry;

import java.util.stream.Collectors;
import org.apache.avro.SchemaCompatibility;

/** Turns Avro's reader/writer compatibility result into one line a person can act on. */
public final class SchemaProblems {
  private SchemaProblems() {}

  public static String describe(SchemaCompatibility.SchemaPairCompatibility result) {
    return result.getResult().getIncompatibilities().stream()
        .map(i -> i.getType() + " at " + i.getLocation() + ": " + i.getMessage())
        .collect(Collectors.joining("; "));
  }
}
