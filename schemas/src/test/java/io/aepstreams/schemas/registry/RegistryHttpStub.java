package io.aepstreams.schemas.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import org.apache.avro.Schema;

/**
 * A registry on loopback that speaks the Confluent REST API over an {@link InMemorySchemaRegistry}, for testing
 * the HTTP client's requests, retries, timeouts, authentication and TLS. Failures are injected per test.
 */
final class RegistryHttpStub implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern REGISTER = Pattern.compile("/subjects/([^/]+)/versions");
  private static final Pattern LOOKUP = Pattern.compile("/subjects/([^/]+)");
  private static final Pattern BY_ID = Pattern.compile("/schemas/ids/(\\d+)");
  private static final Pattern LATEST = Pattern.compile("/subjects/([^/]+)/versions/latest");
  private static final Pattern COMPATIBILITY = Pattern.compile("/compatibility/subjects/([^/]+)/versions/latest");

  final InMemorySchemaRegistry backend;
  final List<String> requests = new CopyOnWriteArrayList<>();
  final List<String> contentTypes = new CopyOnWriteArrayList<>();
  final List<String> bodies = new CopyOnWriteArrayList<>();
  /** The next this-many requests are answered with {@link #failureStatus}. */
  final AtomicInteger failuresToServe = new AtomicInteger();
  volatile int failureStatus = 503;
  /**
   * The next this-many registrations store the schema and still answer 409 "already exists", as Apicurio answers
   * the slower of two clients registering the same subject at once.
   */
  final AtomicInteger registrationsLosingARace = new AtomicInteger();
  volatile long delayMillis;
  volatile String requiredAuthorization;
  /** Where every request is redirected (307), if set. */
  volatile String redirectTo;
  private final HttpServer server;
  private final String scope;

  RegistryHttpStub(SSLContext tls) throws IOException {
    scope = "http-stub-" + System.nanoTime();
    backend = InMemorySchemaRegistry.scope(scope);
    InetSocketAddress loopback = new InetSocketAddress("127.0.0.1", 0);
    if (tls == null) {
      server = HttpServer.create(loopback, 0);
    } else {
      HttpsServer https = HttpsServer.create(loopback, 0);
      https.setHttpsConfigurator(new HttpsConfigurator(tls));
      server = https;
    }
    server.createContext("/", this::handle);
    server.start();
  }

  String url() {
    return (server instanceof HttpsServer ? "https" : "http") + "://127.0.0.1:" + server.getAddress().getPort();
  }

  private void handle(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getRawPath();
    String method = exchange.getRequestMethod();
    requests.add(method + " " + path);
    contentTypes.add(String.valueOf(exchange.getRequestHeaders().getFirst("Content-Type")));
    String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    bodies.add(body);
    try {
      if (delayMillis > 0) {
        Thread.sleep(delayMillis);
      }
      if (redirectTo != null) {
        exchange.getResponseHeaders().set("Location", redirectTo + path);
        reply(exchange, 307, error(307, "moved"));
        return;
      }
      if (requiredAuthorization != null
          && !requiredAuthorization.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
        reply(exchange, 401, error(401, "Unauthorized"));
        return;
      }
      if (failuresToServe.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        reply(exchange, failureStatus, error(failureStatus * 100 + 1, "injected failure"));
        return;
      }
      reply(exchange, 200, route(method, path, body));
    } catch (SchemaRegistryException e) {
      reply(exchange, e.httpStatus(), error(e.errorCode(), e.getMessage()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      reply(exchange, 500, error(50001, e.toString()));
    }
  }

  private ObjectNode route(String method, String path, String body) throws IOException {
    Matcher m;
    ObjectNode answer = JSON.createObjectNode();
    if (method.equals("GET") && (m = BY_ID.matcher(path)).matches()) {
      return answer.put("schema", backend.schemaById(Integer.parseInt(m.group(1))).toString());
    }
    if (method.equals("GET") && (m = LATEST.matcher(path)).matches()) {
      RegisteredSchema latest = backend.latest(decode(m.group(1)));
      return answer.put("subject", latest.subject()).put("version", latest.version()).put("id", latest.id())
          .put("schema", latest.schema().toString());
    }
    if (method.equals("POST") && (m = COMPATIBILITY.matcher(path)).matches()) {
      String subject = decode(m.group(1));
      backend.latest(subject); // 404 when the subject is unknown, as a real registry answers
      return answer.put("is_compatible", backend.isCompatible(subject, schemaOf(body)));
    }
    if (method.equals("POST") && (m = REGISTER.matcher(path)).matches()) {
      int id = backend.register(decode(m.group(1)), schemaOf(body));
      if (registrationsLosingARace.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        throw new SchemaRegistryException("An artifact with ID '" + decode(m.group(1)) + "' already exists.", 409,
            409, null);
      }
      return answer.put("id", id);
    }
    if (method.equals("POST") && (m = LOOKUP.matcher(path)).matches()) {
      String subject = decode(m.group(1));
      int id = backend.idOf(subject, schemaOf(body))
          .orElseThrow(() -> new SchemaNotFoundException("Schema not found", 40403));
      return answer.put("subject", subject).put("id", id).put("version", 1);
    }
    throw new SchemaNotFoundException("no route " + method + " " + path, 404);
  }

  private static Schema schemaOf(String body) throws IOException {
    JsonNode tree = JSON.readTree(body);
    return new Schema.Parser().parse(tree.get("schema").asText());
  }

  private static String decode(String segment) {
    return URLDecoder.decode(segment, StandardCharsets.UTF_8);
  }

  private static ObjectNode error(int code, String message) {
    return JSON.createObjectNode().put("error_code", code).put("message", message);
  }

  private static void reply(HttpExchange exchange, int status, ObjectNode body) throws IOException {
    byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/vnd.schemaregistry.v1+json");
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
    exchange.close();
  }

  @Override
  public void close() {
    server.stop(0);
    InMemorySchemaRegistry.dropScope(scope);
  }
}
