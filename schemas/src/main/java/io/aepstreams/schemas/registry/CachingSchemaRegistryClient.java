package io.aepstreams.schemas.registry;

import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;

/**
 * Remembers what never changes in a registry (an id's schema; a subject's id for a schema) so that serializing and
 * deserializing make no network call after the first record of each schema. {@link #latest} and
 * {@link #isCompatible} always ask, since their answers change as schemas are registered.
 *
 * <p>Unbounded on purpose: a deployment sees a handful of schemas, each cached once.
 */
public final class CachingSchemaRegistryClient implements SchemaRegistryClient {
  private final SchemaRegistryClient delegate;
  private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();
  private final Map<SubjectSchema, Integer> idsBySubjectSchema = new ConcurrentHashMap<>();

  private record SubjectSchema(String subject, Schema schema) {}

  public CachingSchemaRegistryClient(SchemaRegistryClient delegate) {
    this.delegate = delegate;
  }

  @Override
  public int register(String subject, Schema schema) {
    return idsBySubjectSchema.computeIfAbsent(new SubjectSchema(subject, schema),
        key -> remember(delegate.register(subject, schema), schema));
  }

  @Override
  public OptionalInt idOf(String subject, Schema schema) {
    SubjectSchema key = new SubjectSchema(subject, schema);
    Integer known = idsBySubjectSchema.get(key);
    if (known != null) {
      return OptionalInt.of(known);
    }
    OptionalInt found = delegate.idOf(subject, schema);
    found.ifPresent(id -> idsBySubjectSchema.put(key, remember(id, schema)));
    return found;
  }

  @Override
  public Schema schemaById(int id) {
    return schemasById.computeIfAbsent(id, delegate::schemaById);
  }

  @Override
  public RegisteredSchema latest(String subject) {
    return delegate.latest(subject);
  }

  @Override
  public boolean isCompatible(String subject, Schema schema) {
    return delegate.isCompatible(subject, schema);
  }

  private int remember(int id, Schema schema) {
    schemasById.putIfAbsent(id, CanonicalSchema.of(schema));
    return id;
  }

  @Override
  public String toString() {
    return "Caching(" + delegate + ")";
  }
}
