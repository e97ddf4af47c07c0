package io.aepstreams.schemas.registry;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Schema Registry for integration tests: Apicurio Registry (in-memory storage) started as a child JVM on a
 * free loopback port, serving the Confluent-compatible API under {@code /apis/ccompat/v7}. The build unpacks
 * Apicurio's distribution before the integration tests and passes its runner jar in the system property
 * {@code apicurio.runner}. Shared with streams-app's integration tests through this module's test-jar.
 */
public final class ApicurioRegistry implements AutoCloseable {
  public static final String RUNNER_PROPERTY = "apicurio.runner";
  private static final Duration STARTUP_LIMIT = Duration.ofMinutes(3);

  private final Process process;
  private final int port;
  private final Path log;

  private ApicurioRegistry(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  /** Starts the registry and waits until its Confluent API answers. */
  public static ApicurioRegistry start() throws IOException, InterruptedException {
    String runner = System.getProperty(RUNNER_PROPERTY);
    if (runner == null || !Files.isRegularFile(Path.of(runner))) {
      throw new IllegalStateException("Apicurio Registry's runner jar was not found (system property "
          + RUNNER_PROPERTY + "=" + runner + "): run the integration tests through ./mvnw verify, which unpacks it");
    }
    int port = freePort();
    Path log = Files.createTempFile("apicurio-" + port + "-", ".log");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process process = new ProcessBuilder(List.of(java, "-Xmx512m",
        "-Dquarkus.http.host=127.0.0.1", "-Dquarkus.http.port=" + port,
        "-Dquarkus.log.level=WARN", "-jar", runner))
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
    ApicurioRegistry registry = new ApicurioRegistry(process, port, log);
    try {
      registry.awaitReady();
    } catch (IOException | InterruptedException | RuntimeException e) {
      registry.close();
      throw e;
    }
    return registry;
  }

  /** Base URL of the Confluent-compatible API, the value for {@code schema.registry.url}. */
  public String confluentUrl() {
    return "http://127.0.0.1:" + port + "/apis/ccompat/v7";
  }

  private void awaitReady() throws IOException, InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    HttpRequest probe = HttpRequest.newBuilder(URI.create(confluentUrl() + "/subjects"))
        .timeout(Duration.ofSeconds(5)).build();
    Instant deadline = Instant.now().plus(STARTUP_LIMIT);
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        throw new IllegalStateException("Apicurio Registry exited with " + process.exitValue() + " while starting; "
            + "its log: " + log + "\n" + tail());
      }
      try {
        if (http.send(probe, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // still starting
      }
      Thread.sleep(250);
    }
    throw new IllegalStateException("Apicurio Registry did not answer within " + STARTUP_LIMIT + "; its log: "
        + log + "\n" + tail());
  }

  private String tail() throws IOException {
    List<String> lines = Files.readAllLines(log);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }
}
