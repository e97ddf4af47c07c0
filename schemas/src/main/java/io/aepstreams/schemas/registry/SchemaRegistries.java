package io.aepstreams.schemas.registry;

import java.util.Map;
import org.apache.kafka.common.config.ConfigException;

/** Picks the registry client a configuration asks for. */
public final class SchemaRegistries {
  public static final String MOCK_PREFIX = "mock://";

  private SchemaRegistries() {}

  /**
   * The client for {@code schema.registry.url}: the shared in-memory registry for {@code mock://scope}, otherwise a
   * cached HTTP client (see {@link SchemaRegistryConfig} for the keys).
   */
  public static SchemaRegistryClient connect(Map<String, ?> configs) {
    Object url = configs.get(SchemaRegistryConfig.URL);
    if (url != null && url.toString().strip().startsWith(MOCK_PREFIX)) {
      String scope = url.toString().strip().substring(MOCK_PREFIX.length());
      if (scope.isEmpty() || scope.contains(",")) {
        throw new ConfigException(SchemaRegistryConfig.URL, url, "mock:// takes exactly one scope name");
      }
      return InMemorySchemaRegistry.scope(scope);
    }
    return new CachingSchemaRegistryClient(new HttpSchemaRegistryClient(SchemaRegistryConfig.from(configs)));
  }
}
