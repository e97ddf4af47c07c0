package io.aepstreams.schemas.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import java.util.OptionalInt;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;
import org.apache.kafka.common.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client for the Confluent Schema Registry REST API (v7), as served by Confluent's registry and by Apicurio
 * under {@code /apis/ccompat/v7}. Every call goes over the network: wrap it in a
 * {@link CachingSchemaRegistryClient} (as {@link SchemaRegistries#connect} does) for the hot path.
 *
 * <p>Connection failures, timeouts, HTTP 408, 429 and 5xx are retried with exponential back-off, trying the next
 * base URL on each attempt; any other error answer fails at once with the registry's message.
 */
public final class HttpSchemaRegistryClient implements SchemaRegistryClient {
  private static final Logger LOG = LoggerFactory.getLogger(HttpSchemaRegistryClient.class);
  private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);
  /** Registrations tried again after a 409 whose schema is not (yet) there to look up. */
  private static final int CONFLICT_RETRIES = 2;
  /** Look-ups of a schema id tried again after a 404. */
  private static final int UNKNOWN_ID_RETRIES = 2;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final SchemaRegistryConfig config;
  private final HttpClient http;
  private final Optional<String> authorization;

  public HttpSchemaRegistryClient(SchemaRegistryConfig config) {
    this.config = config;
    HttpClient.Builder builder = HttpClient.newBuilder()
        .connectTimeout(config.connectTimeout())
        // Never: a redirect would carry the Authorization header to wherever it points.
        .followRedirects(HttpClient.Redirect.NEVER);
    if (config.trustStore().isPresent() || config.keyStore().isPresent()) {
      builder.sslContext(sslContext(config));
    }
    this.http = builder.build();
    this.authorization = config.userInfo().map(info ->
        "Basic " + Base64.getEncoder().encodeToString(info.getBytes(StandardCharsets.UTF_8)));
  }

  /**
   * Registers {@code schema}, or finds it already registered. A 409 is not always an incompatibility: when two
   * clients register the same new subject at once, Apicurio answers the slower one "artifact already exists". So
   * a 409 is followed by a look-up, and an identical schema found there is the answer; only a schema that is
   * still not there after a few tries is reported incompatible.
   */
  @Override
  public int register(String subject, Schema schema) {
    String what = "register schema " + schema.getFullName() + " under subject '" + subject + "'";
    Duration backoff = config.retryBackoff();
    for (int attempt = 0; ; attempt++) {
      try {
        return call("POST", "/subjects/" + encode(subject) + "/versions", schemaBody(schema), what)
            .path("id").asInt();
      } catch (IncompatibleSchemaException conflict) {
        OptionalInt registered = idOf(subject, schema);
        if (registered.isPresent()) {
          LOG.debug("{}: answered 409, but the same schema is registered as id {}", what, registered.getAsInt());
          return registered.getAsInt();
        }
        if (attempt >= CONFLICT_RETRIES) {
          throw conflict;
        }
        sleep(backoff);
      }
    }
  }

  @Override
  public OptionalInt idOf(String subject, Schema schema) {
    try {
      JsonNode answer = call("POST", "/subjects/" + encode(subject), schemaBody(schema),
          "look up schema " + schema.getFullName() + " under subject '" + subject + "'");
      return OptionalInt.of(answer.path("id").asInt());
    } catch (SchemaNotFoundException e) {
      return OptionalInt.empty();
    }
  }

  /**
   * The schema registered as {@code id}. A 404 is asked again a few times first: a registry of several nodes may
   * not yet know a schema that a producer registered a moment ago on another, and a record is dead-lettered as
   * UNKNOWN_SCHEMA_ID only for an id that stays unknown.
   */
  @Override
  public Schema schemaById(int id) {
    Duration backoff = config.retryBackoff();
    for (int attempt = 0; ; attempt++) {
      try {
        JsonNode answer = call("GET", "/schemas/ids/" + id, null, "get schema id " + id);
        return parse(answer.path("schema").asText(), "schema id " + id);
      } catch (SchemaNotFoundException notYet) {
        if (attempt >= UNKNOWN_ID_RETRIES) {
          throw notYet;
        }
        sleep(backoff);
        backoff = backoff.multipliedBy(2);
      }
    }
  }

  @Override
  public RegisteredSchema latest(String subject) {
    JsonNode answer = call("GET", "/subjects/" + encode(subject) + "/versions/latest", null,
        "get the latest schema of subject '" + subject + "'");
    return new RegisteredSchema(subject, answer.path("version").asInt(), answer.path("id").asInt(),
        parse(answer.path("schema").asText(), "subject '" + subject + "'"));
  }

  @Override
  public boolean isCompatible(String subject, Schema schema) {
    try {
      JsonNode answer = call("POST", "/compatibility/subjects/" + encode(subject) + "/versions/latest",
          schemaBody(schema), "check compatibility of " + schema.getFullName() + " with subject '" + subject + "'");
      return answer.path("is_compatible").asBoolean(false);
    } catch (SchemaNotFoundException e) {
      return true; // nothing registered yet: nothing to break
    }
  }

  private JsonNode call(String method, String path, String body, String what) {
    Duration backoff = config.retryBackoff();
    SchemaRegistryException last = null;
    for (int attempt = 0; attempt <= config.maxRetries(); attempt++) {
      URI base = config.urls().get(attempt % config.urls().size());
      if (attempt > 0) {
        LOG.debug("retrying '{}' on {} after {}: {}", what, base, backoff, last.getMessage());
        sleep(backoff);
        backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
      }
      HttpRequest request = request(base, method, path, body);
      HttpResponse<InputStream> response;
      try {
        response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
      } catch (HttpTimeoutException e) {
        last = new SchemaRegistryException("Schema Registry at " + base + " did not answer within "
            + config.requestTimeout().toMillis() + " ms to " + what, e);
        continue;
      } catch (IOException e) {
        last = new SchemaRegistryException("cannot reach the Schema Registry at " + base + " to " + what + ": " + e, e);
        continue;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new SchemaRegistryException("interrupted while trying to " + what, e);
      }
      int status = response.statusCode();
      JsonNode answer = readJson(response, base, what);
      if (status >= 200 && status < 300) {
        return answer;
      }
      int errorCode = answer.path("error_code").asInt(status);
      String message = "Schema Registry at " + base + " refused to " + what + ": HTTP " + status
          + (answer.has("message") ? " (" + errorCode + ") " + answer.path("message").asText() : "");
      if (status == 404) {
        throw new SchemaNotFoundException(message, errorCode);
      }
      if (status == 409) {
        throw new IncompatibleSchemaException(message);
      }
      last = new SchemaRegistryException(message, status, errorCode, null);
      if (!(status == 408 || status == 429 || status >= 500)) {
        throw last;
      }
    }
    throw last;
  }

  private HttpRequest request(URI base, String method, String path, String body) {
    HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(stripSlash(base.toString()) + path))
        .timeout(config.requestTimeout())
        .header("Accept", CONTENT_TYPE + ", application/json");
    authorization.ifPresent(value -> builder.header("Authorization", value));
    if (body == null) {
      builder.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      builder.header("Content-Type", CONTENT_TYPE)
          .method(method, HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    }
    return builder.build();
  }

  private static JsonNode readJson(HttpResponse<InputStream> response, URI base, String what) {
    try (InputStream in = response.body()) {
      byte[] bytes = in.readAllBytes();
      if (bytes.length == 0) {
        return JSON.createObjectNode();
      }
      return JSON.readTree(bytes);
    } catch (IOException e) {
      // Not JSON: an HTML error page from a proxy, say. Keep the status; the body says nothing useful.
      if (response.statusCode() >= 200 && response.statusCode() < 300) {
        throw new SchemaRegistryException("Schema Registry at " + base + " answered '" + what
            + "' with something that is not JSON", e);
      }
      return JSON.createObjectNode();
    }
  }

  private static String schemaBody(Schema schema) {
    return JSON.createObjectNode().put("schema", CanonicalSchema.text(schema)).toString();
  }

  private static Schema parse(String text, String what) {
    try {
      return new Schema.Parser().parse(text);
    } catch (SchemaParseException e) {
      throw new SchemaRegistryException("the registry's " + what + " is not an Avro schema: " + e.getMessage(), e);
    }
  }

  private static String encode(String subject) {
    return URLEncoder.encode(subject, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static String stripSlash(String url) {
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SchemaRegistryException("interrupted while waiting to retry", e);
    }
  }

  private static SSLContext sslContext(SchemaRegistryConfig config) {
    try {
      TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(config.trustStore().map(f -> load(f, SchemaRegistryConfig.TRUSTSTORE_LOCATION)).orElse(null));
      KeyManagerFactory keys = null;
      if (config.keyStore().isPresent()) {
        SchemaRegistryConfig.KeyStoreFile file = config.keyStore().get();
        keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        char[] keyPassword = config.keyPassword().map(String::toCharArray).orElse(file.password());
        keys.init(load(file, SchemaRegistryConfig.KEYSTORE_LOCATION), keyPassword);
      }
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys == null ? null : keys.getKeyManagers(), trust.getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new ConfigException("cannot set up TLS for the Schema Registry client: " + e.getMessage());
    }
  }

  private static KeyStore load(SchemaRegistryConfig.KeyStoreFile file, String key) {
    Path path = Path.of(file.location());
    if (!Files.isReadable(path)) {
      throw new ConfigException(key, file.location(), "is not a readable file");
    }
    try (InputStream in = Files.newInputStream(path)) {
      KeyStore store = KeyStore.getInstance(file.type());
      store.load(in, file.password());
      return store;
    } catch (IOException | GeneralSecurityException e) {
      throw new ConfigException(key, file.location(), "cannot be read as a " + file.type() + " store: " + e.getMessage());
    }
  }

  @Override
  public String toString() {
    return "HttpSchemaRegistryClient" + config.urls();
  }
}
