package io.aepstreams.schemas.registry;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.config.ConfigException;

/**
 * How to reach a Schema Registry. Read from the same keys Confluent's serdes use, so existing client
 * configurations work unchanged:
 *
 * <pre>
 * schema.registry.url                          comma-separated base URLs, tried in order; or mock://scope
 * basic.auth.credentials.source                USER_INFO (default) or URL (user:password@ in the URL)
 * basic.auth.user.info                         user:password
 * schema.registry.ssl.truststore.location      JKS or PKCS12 file; the JDK's trust store when absent
 * schema.registry.ssl.truststore.password
 * schema.registry.ssl.truststore.type          default PKCS12
 * schema.registry.ssl.keystore.location        client certificate for mutual TLS
 * schema.registry.ssl.keystore.password
 * schema.registry.ssl.keystore.type            default PKCS12
 * schema.registry.ssl.key.password             default: the keystore password
 * schema.registry.connect.timeout.ms           default 5000
 * schema.registry.request.timeout.ms           default 10000
 * schema.registry.max.retries                  default 3 (connection failures, 408, 429 and 5xx)
 * schema.registry.retry.backoff.ms             default 100, doubled on each retry, at most 5000
 * </pre>
 */
public record SchemaRegistryConfig(
    List<URI> urls,
    Optional<String> userInfo,
    Optional<KeyStoreFile> trustStore,
    Optional<KeyStoreFile> keyStore,
    Optional<String> keyPassword,
    Duration connectTimeout,
    Duration requestTimeout,
    int maxRetries,
    Duration retryBackoff) {

  public static final String URL = "schema.registry.url";
  public static final String CREDENTIALS_SOURCE = "basic.auth.credentials.source";
  public static final String USER_INFO = "basic.auth.user.info";
  public static final String TRUSTSTORE_LOCATION = "schema.registry.ssl.truststore.location";
  public static final String TRUSTSTORE_PASSWORD = "schema.registry.ssl.truststore.password";
  public static final String TRUSTSTORE_TYPE = "schema.registry.ssl.truststore.type";
  public static final String KEYSTORE_LOCATION = "schema.registry.ssl.keystore.location";
  public static final String KEYSTORE_PASSWORD = "schema.registry.ssl.keystore.password";
  public static final String KEYSTORE_TYPE = "schema.registry.ssl.keystore.type";
  public static final String KEY_PASSWORD = "schema.registry.ssl.key.password";
  public static final String CONNECT_TIMEOUT_MS = "schema.registry.connect.timeout.ms";
  public static final String REQUEST_TIMEOUT_MS = "schema.registry.request.timeout.ms";
  public static final String MAX_RETRIES = "schema.registry.max.retries";
  public static final String RETRY_BACKOFF_MS = "schema.registry.retry.backoff.ms";
  /** true: send basic.auth.user.info over plain http:// to a host other than this one (refused by default). */
  public static final String ALLOW_CLEAR_TEXT_AUTH = "schema.registry.allow.clear.text.auth";

  /** A key or trust store file. */
  public record KeyStoreFile(String location, char[] password, String type) {
    @Override
    public String toString() {
      return type + " " + location + (password == null ? "" : " (password " + Secrets.HIDDEN + ")");
    }
  }

  /** Credentials hidden: the record's own toString would print the user info and the key password. */
  @Override
  public String toString() {
    return "SchemaRegistryConfig[urls=" + urls + ", userInfo=" + userInfo.map(u -> Secrets.HIDDEN).orElse("none")
        + ", trustStore=" + trustStore.map(Object::toString).orElse("none") + ", keyStore="
        + keyStore.map(Object::toString).orElse("none") + ", keyPassword="
        + keyPassword.map(u -> Secrets.HIDDEN).orElse("none") + ", connectTimeout=" + connectTimeout
        + ", requestTimeout=" + requestTimeout + ", maxRetries=" + maxRetries + ", retryBackoff=" + retryBackoff + "]";
  }

  /** Reads the configuration; a missing URL or a malformed value is a {@link ConfigException} naming the key. */
  public static SchemaRegistryConfig from(Map<String, ?> configs) {
    String rawUrls = string(configs, URL).orElseThrow(() -> new ConfigException(URL, null,
        "is required: the Schema Registry's base URL, for example http://localhost:8081 or mock://tests"));
    String source = string(configs, CREDENTIALS_SOURCE).orElse("USER_INFO").toUpperCase();
    Optional<String> userInfo = string(configs, USER_INFO);
    List<URI> urls = new ArrayList<>();
    for (String raw : rawUrls.split(",")) {
      if (raw.isBlank()) {
        continue;
      }
      URI uri;
      try {
        uri = URI.create(raw.strip());
      } catch (IllegalArgumentException e) {
        throw new ConfigException(URL, Secrets.withoutUserInfo(raw), "is not a URL: "
            + Secrets.withoutUserInfo(String.valueOf(e.getMessage())));
      }
      String scheme = uri.getScheme();
      if (!"http".equals(scheme) && !"https".equals(scheme)) {
        throw new ConfigException(URL, Secrets.withoutUserInfo(raw), "must start with http://, https:// or mock://");
      }
      if (uri.getUserInfo() != null) {
        if (source.equals("URL") && userInfo.isEmpty()) {
          userInfo = Optional.of(uri.getUserInfo());
        }
        uri = URI.create(scheme + "://" + uri.getRawAuthority().substring(uri.getRawAuthority().indexOf('@') + 1)
            + (uri.getRawPath() == null ? "" : uri.getRawPath()));
      }
      urls.add(uri);
    }
    if (urls.isEmpty()) {
      throw new ConfigException(URL, Secrets.withoutUserInfo(rawUrls), "names no URL");
    }
    switch (source) {
      case "USER_INFO", "URL" -> { }
      default -> throw new ConfigException(CREDENTIALS_SOURCE, source, "must be USER_INFO or URL");
    }
    if (userInfo.isPresent() && userInfo.get().indexOf(':') < 0) {
      throw new ConfigException(USER_INFO, "(hidden)", "must be user:password");
    }
    if (userInfo.isPresent() && !flag(configs, ALLOW_CLEAR_TEXT_AUTH)) {
      for (URI uri : urls) {
        if (uri.getScheme().equals("http") && !isLoopback(uri.getHost())) {
          throw new ConfigException(URL, uri.toString(), "is plain http: the registry's password would cross the "
              + "network in clear text; use https://, or set " + ALLOW_CLEAR_TEXT_AUTH + "=true");
        }
      }
    }
    Optional<KeyStoreFile> trustStore = string(configs, TRUSTSTORE_LOCATION).map(location -> new KeyStoreFile(
        location, password(configs, TRUSTSTORE_PASSWORD), string(configs, TRUSTSTORE_TYPE).orElse("PKCS12")));
    Optional<KeyStoreFile> keyStore = string(configs, KEYSTORE_LOCATION).map(location -> new KeyStoreFile(
        location, password(configs, KEYSTORE_PASSWORD), string(configs, KEYSTORE_TYPE).orElse("PKCS12")));
    return new SchemaRegistryConfig(
        List.copyOf(urls),
        userInfo,
        trustStore,
        keyStore,
        string(configs, KEY_PASSWORD),
        Duration.ofMillis(positiveLong(configs, CONNECT_TIMEOUT_MS, 5_000)),
        Duration.ofMillis(positiveLong(configs, REQUEST_TIMEOUT_MS, 10_000)),
        (int) nonNegativeLong(configs, MAX_RETRIES, 3),
        Duration.ofMillis(nonNegativeLong(configs, RETRY_BACKOFF_MS, 100)));
  }

  private static boolean flag(Map<String, ?> configs, String key) {
    return string(configs, key).map(v -> v.strip().equalsIgnoreCase("true")).orElse(false);
  }

  private static boolean isLoopback(String host) {
    return host != null && (host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]")
        || host.equals("::1"));
  }

  private static Optional<String> string(Map<String, ?> configs, String key) {
    Object value = configs.get(key);
    if (value == null) {
      return Optional.empty();
    }
    // Kafka hands passwords over as its Password type; its toString() hides the value.
    String text = value instanceof org.apache.kafka.common.config.types.Password password
        ? password.value() : value.toString();
    return text.isBlank() ? Optional.empty() : Optional.of(text.strip());
  }

  private static char[] password(Map<String, ?> configs, String key) {
    return string(configs, key).map(String::toCharArray).orElse(null);
  }

  private static long nonNegativeLong(Map<String, ?> configs, String key, long fallback) {
    Optional<String> text = string(configs, key);
    if (text.isEmpty()) {
      return fallback;
    }
    try {
      long value = Long.parseLong(text.get());
      if (value < 0) {
        throw new ConfigException(key, text.get(), "must not be negative");
      }
      return value;
    } catch (NumberFormatException e) {
      throw new ConfigException(key, text.get(), "must be a whole number");
    }
  }

  private static long positiveLong(Map<String, ?> configs, String key, long fallback) {
    long value = nonNegativeLong(configs, key, fallback);
    if (value == 0) {
      throw new ConfigException(key, 0, "must be positive");
    }
    return value;
  }
}
