package io.aepstreams.streams.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ThreadsTest {
  @Test
  void theStreamThreadsTogetherUseEveryCoreByDefault() {
    assertEquals(new Threads(1, 8), Threads.from(Map.of(), 8));
    assertEquals(new Threads(2, 4), Threads.from(Map.of(Threads.STREAM_THREADS, "2"), 8));
    assertEquals(new Threads(3, 2), Threads.from(Map.of(Threads.STREAM_THREADS, "3"), 8));
    // more stream threads than cores: one engine thread each, never none
    assertEquals(new Threads(4, 1), Threads.from(Map.of(Threads.STREAM_THREADS, "4"), 2));
    assertEquals(new Threads(1, 3), Threads.from(Map.of(AppConfig.ENGINE_THREADS, "3"), 2));
  }

  @Test
  void passesRunOffTheStreamThreadsWhereAsked() {
    assertEquals(new Threads(1, 2, true), Threads.from(Map.of(AppConfig.PASS_THREADS, "true"), 2));
    assertEquals(new Threads(1, 2, false), Threads.from(Map.of(AppConfig.PASS_THREADS, " false "), 2));
    assertEquals(Threads.DEFAULT_PASS_THREADS, Threads.from(Map.of(), 2).passThreads());
    AppConfig config = AppConfig.from(Map.of(AppConfig.MODEL, "m", AppConfig.PASS_THREADS, "true"));
    // a pass that ends while the thread polls goes on after the poll: it blocks 2 ms at most, not the batch delay
    assertEquals(2L, io.aepstreams.streams.topology.AepTopology.streamsProperties(config, new StageRange(1, 4))
        .get(org.apache.kafka.streams.StreamsConfig.POLL_MS_CONFIG));
    assertEquals(5L, io.aepstreams.streams.topology.AepTopology.streamsProperties(AppConfig.from(Map.of(
        AppConfig.MODEL, "m", AppConfig.PASS_THREADS, "false")), new StageRange(1, 4))
        .get(org.apache.kafka.streams.StreamsConfig.POLL_MS_CONFIG));
  }

  @Test
  void mistakesAreNamed() {
    assertEquals("aep.engine.pass-threads must be true or false, got 'yes'", assertThrows(
        IllegalArgumentException.class, () -> Threads.from(Map.of(AppConfig.PASS_THREADS, "yes"), 2)).getMessage());
    assertEquals("aep.engine.threads must be a whole number, got 'two'", assertThrows(IllegalArgumentException.class,
        () -> Threads.from(Map.of(AppConfig.ENGINE_THREADS, "two"), 2)).getMessage());
    assertEquals("num.stream.threads and aep.engine.threads must be 1 or more, got 0 and 2",
        assertThrows(IllegalArgumentException.class,
            () -> Threads.from(Map.of(Threads.STREAM_THREADS, "0", AppConfig.ENGINE_THREADS, "2"), 2)).getMessage());
  }

  @Test
  void theInstanceAsksKafkaStreamsForItsStreamThreads() {
    AppConfig config = AppConfig.from(Map.of(AppConfig.MODEL, "m", Threads.STREAM_THREADS, "2"));
    assertEquals("2", String.valueOf(io.aepstreams.streams.topology.AepTopology.streamsProperties(config,
        new StageRange(1, 4)).get(org.apache.kafka.streams.StreamsConfig.NUM_STREAM_THREADS_CONFIG)));
    assertEquals("1", String.valueOf(io.aepstreams.streams.topology.AepTopology.streamsProperties(
        AppConfig.from(Map.of(AppConfig.MODEL, "m")), new StageRange(1, 4))
        .get(org.apache.kafka.streams.StreamsConfig.NUM_STREAM_THREADS_CONFIG)));
  }
}
