package io.aepstreams.schemas.registry;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;

/**
 * A registry in memory, behind {@code mock://scope} URLs (as Confluent's {@code mock://} does): every serde and tool
 * configured with the same scope in one JVM shares one registry, and different scopes never see each other. Used by
 * the tests and by the demo's embedded mode.
 *
 * <p>Behaves as a real registry with compatibility BACKWARD: ids are global to the scope, the same canonical
 * schema always gets the same id, and a new version that the latest cannot be read into is refused.
 */
public final class InMemorySchemaRegistry implements SchemaRegistryClient {
  private static final Map<String, InMemorySchemaRegistry> SCOPES = new ConcurrentHashMap<>();

  private final String scope;
  private final Map<String, Integer> idsByText = new HashMap<>();
  private final Map<Integer, Schema> schemasById = new HashMap<>();
  private final Map<String, List<Integer>> versionsBySubject = new HashMap<>();

  private InMemorySchemaRegistry(String scope) {
    this.scope = scope;
  }

  /** The registry of this scope, created empty on first use. */
  public static InMemorySchemaRegistry scope(String scope) {
    return SCOPES.computeIfAbsent(scope, InMemorySchemaRegistry::new);
  }

  /** Forgets a scope and everything registered in it. */
  public static void dropScope(String scope) {
    SCOPES.remove(scope);
  }

  @Override
  public synchronized int register(String subject, Schema schema) {
    Schema canonical = CanonicalSchema.of(schema);
    String text = canonical.toString();
    List<Integer> versions = versionsBySubject.computeIfAbsent(subject, s -> new ArrayList<>());
    Integer known = idsByText.get(text);
    if (known != null && versions.contains(known)) {
      return known;
    }
    if (!versions.isEmpty()) {
      String problem = incompatibility(subject, canonical);
      if (problem != null) {
        throw new IncompatibleSchemaException("Schema being registered is incompatible with the latest version of "
            + "subject '" + subject + "' (compatibility BACKWARD): " + problem);
      }
    }
    int id = known != null ? known : idsByText.size() + 1;
    idsByText.put(text, id);
    schemasById.put(id, canonical);
    versions.add(id);
    return id;
  }

  @Override
  public synchronized OptionalInt idOf(String subject, Schema schema) {
    Integer id = idsByText.get(CanonicalSchema.text(schema));
    List<Integer> versions = versionsBySubject.getOrDefault(subject, List.of());
    return id != null && versions.contains(id) ? OptionalInt.of(id) : OptionalInt.empty();
  }

  @Override
  public synchronized Schema schemaById(int id) {
    Schema schema = schemasById.get(id);
    if (schema == null) {
      throw new SchemaNotFoundException("Schema id " + id + " is not registered in mock://" + scope, 40403);
    }
    return schema;
  }

  @Override
  public synchronized RegisteredSchema latest(String subject) {
    List<Integer> versions = versionsBySubject.get(subject);
    if (versions == null || versions.isEmpty()) {
      throw new SchemaNotFoundException("Subject '" + subject + "' is not registered in mock://" + scope, 40401);
    }
    int id = versions.get(versions.size() - 1);
    return new RegisteredSchema(subject, versions.size(), id, schemasById.get(id));
  }

  @Override
  public synchronized boolean isCompatible(String subject, Schema schema) {
    List<Integer> versions = versionsBySubject.get(subject);
    return versions == null || versions.isEmpty() || incompatibility(subject, CanonicalSchema.of(schema)) == null;
  }

  /** Why data written with the subject's latest schema cannot be read with {@code candidate}; null if it can. */
  private String incompatibility(String subject, Schema candidate) {
    Schema latest = latest(subject).schema();
    SchemaCompatibility.SchemaPairCompatibility result =
        SchemaCompatibility.checkReaderWriterCompatibility(candidate, latest);
    if (result.getType() == SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
      return null;
    }
    return SchemaProblems.describe(result);
  }

  @Override
  public String toString() {
    return "mock://" + scope;
  }
}
