package io.aepstreams.schemas.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Set;
import org.apache.avro.Schema;

/**
 * The text a schema is registered as. Avro's Java code generator adds properties such as
 * {@code "avro.java.string": "String"} to the schemas it compiles into classes; registered as they are, they would
 * give the same logical schema another text and so another id than a Python or Go client registering the .avsc.
 * The canonical text drops those Java-only properties and keeps everything that matters to other readers (docs,
 * defaults, logical types, aliases), in Avro's compact JSON form.
 */
public final class CanonicalSchema {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Properties that only steer Java code generation or reflection. */
  private static final Set<String> JAVA_ONLY_PROPERTIES =
      Set.of("avro.java.string", "java-class", "java-key-class", "java-element-class");

  private CanonicalSchema() {}

  /** The canonical text of {@code schema}. */
  public static String text(Schema schema) {
    return of(schema).toString();
  }

  /** {@code schema} without Java-only properties. */
  public static Schema of(Schema schema) {
    try {
      JsonNode tree = JSON.readTree(schema.toString());
      if (!strip(tree)) {
        return schema;
      }
      return new Schema.Parser().parse(JSON.writeValueAsString(tree));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot re-read schema " + schema.getFullName(), e);
    }
  }

  /** Removes Java-only properties everywhere in the tree; true if any was found. */
  private static boolean strip(JsonNode node) {
    boolean changed = false;
    if (node instanceof ObjectNode object) {
      for (String property : JAVA_ONLY_PROPERTIES) {
        changed |= object.remove(property) != null;
      }
      for (JsonNode child : object) {
        changed |= strip(child);
      }
    } else if (node.isArray()) {
      for (JsonNode child : node) {
        changed |= strip(child);
      }
    }
    return changed;
  }
}
