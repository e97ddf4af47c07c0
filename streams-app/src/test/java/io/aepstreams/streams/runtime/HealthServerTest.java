package io.aepstreams.streams.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Metrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;

class HealthServerTest {
  private final HttpClient http = HttpClient.newHttpClient();

  private HttpResponse<String> get(HealthServer server, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void probesFollowTheStreamsStateAndMetricsAreScraped() throws Exception {
    AtomicReference<KafkaStreams.State> state = new AtomicReference<>(KafkaStreams.State.REBALANCING);
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Metrics.addRegistry(registry);
    try (HealthServer server = new HealthServer(0, state::get, registry)) {
      assertEquals(200, get(server, "/health/live").statusCode());
      assertEquals(503, get(server, "/health/ready").statusCode());
      state.set(KafkaStreams.State.RUNNING);
      assertEquals(200, get(server, "/health/ready").statusCode());
      state.set(KafkaStreams.State.ERROR);
      assertEquals(503, get(server, "/health/live").statusCode());

      PipelineMetrics.classifications(2).increment();
      PipelineMetrics.deadLettered("BAD_MAGIC_BYTE");
      String metrics = get(server, "/metrics").body();
      assertTrue(metrics.contains("aep_classifications_total{exit_stage=\"2\"} 1.0"), metrics);
      assertTrue(metrics.contains("aep_dead_letters_total{reason=\"BAD_MAGIC_BYTE\"} 1.0"), metrics);
    } finally {
      Metrics.removeRegistry(registry);
    }
  }

  @Test
  void aMetricsFailureSaysSoWithoutItsDetails() throws Exception {
    PrometheusMeterRegistry failing = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT) {
      @Override
      public String scrape() {
        throw new IllegalStateException("secret-internal-state at /opt/aep/lib");
      }
    };
    try (HealthServer server = new HealthServer(0, () -> KafkaStreams.State.RUNNING, failing)) {
      HttpResponse<String> answer = get(server, "/metrics");
      assertEquals(500, answer.statusCode());
      assertEquals("cannot render the metrics (the instance's log says why)\n", answer.body());
      assertEquals(200, get(server, "/health/ready").statusCode(), "and the probes still answer");
    }
  }
}
