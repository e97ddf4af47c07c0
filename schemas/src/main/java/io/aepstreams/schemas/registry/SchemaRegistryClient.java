package io.aepstreams.schemas.registry;

import java.util.OptionalInt;
import org.apache.avro.Schema;

/**
 * The part of the Confluent Schema Registry REST API that the serdes and tools need. Schemas are always sent in
 * their {@link CanonicalSchema canonical text}, so every client registering the same schema gets the same id.
 *
 * <p>Implementations: {@link HttpSchemaRegistryClient} (a real registry), {@link InMemorySchemaRegistry}
 * ({@code mock://scope}), and {@link CachingSchemaRegistryClient} around either. Use
 * {@link SchemaRegistries#connect} to get the right one for a URL.
 */
public interface SchemaRegistryClient {

  /** Registers {@code schema} under {@code subject}, or finds it there if it already is; returns its id. */
  int register(String subject, Schema schema);

  /** The id of {@code schema} under {@code subject}, or empty if it is not registered there. */
  OptionalInt idOf(String subject, Schema schema);

  /** The schema with this id; throws {@link SchemaNotFoundException} if the registry does not know it. */
  Schema schemaById(int id);

  /** The latest version registered under {@code subject}; throws {@link SchemaNotFoundException} if none. */
  RegisteredSchema latest(String subject);

  /**
   * Whether {@code schema} could be registered under {@code subject} by the subject's compatibility rule. A subject
   * with no versions yet accepts anything.
   */
  boolean isCompatible(String subject, Schema schema);
}
