package io.aepstreams.streams.runtime;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kubernetes probes and Prometheus metrics over plain HTTP: {@code /health/live} is 200 unless the Kafka Streams
 * application has failed or stopped; {@code /health/ready} is 200 only while it is RUNNING (partitions assigned,
 * model loaded); {@code /metrics} is the Prometheus text format.
 *
 * <p>It listens on every interface, since the kubelet probes the pod's own address; deploy/k8s/base's
 * NetworkPolicy admits only the scraper and the nodes to the port. Requests are served by two threads of their
 * own, so a slow client cannot hold a probe behind it, and an error says no more than that it happened (the
 * details go to the log).
 */
public final class HealthServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HealthServer.class);
  private final HttpServer server;
  private final ExecutorService executor;

  public HealthServer(int port, Supplier<KafkaStreams.State> state, PrometheusMeterRegistry registry) {
    try {
      server = HttpServer.create(new InetSocketAddress(port), 0);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot serve health and metrics on port " + port + ": " + e.getMessage(), e);
    }
    server.createContext("/health/live", exchange -> {
      KafkaStreams.State s = state.get();
      boolean alive = s != KafkaStreams.State.ERROR && s != KafkaStreams.State.NOT_RUNNING
          && s != KafkaStreams.State.PENDING_ERROR;
      reply(exchange, alive ? 200 : 503, s.name() + "\n", "text/plain");
    });
    server.createContext("/health/ready", exchange -> {
      KafkaStreams.State s = state.get();
      reply(exchange, s == KafkaStreams.State.RUNNING ? 200 : 503, s.name() + "\n", "text/plain");
    });
    server.createContext("/metrics", exchange -> {
      String body;
      try {
        body = registry.scrape();
      } catch (RuntimeException e) {
        LOG.error("cannot render the metrics", e);
        reply(exchange, 500, "cannot render the metrics (the instance's log says why)\n", "text/plain");
        return;
      }
      reply(exchange, 200, body, "text/plain; version=0.0.4; charset=utf-8");
    });
    executor = Executors.newFixedThreadPool(2, task -> {
      Thread thread = new Thread(task, "aep-health");
      thread.setDaemon(true);
      return thread;
    });
    server.setExecutor(executor);
    server.start();
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private static void reply(HttpExchange exchange, int status, String body, String type) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", type);
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
    exchange.close();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
