package io.aepstreams.streams.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ThreadsTest {
  /** stream threads x engine threads: what decides how the cores are used. */
  private static String layout(Threads threads) {
    return threads.streamThreads() + "x" + threads.engineThreads();
  }

  @Test
  void onTheCpuEachCoreGetsAStreamThreadOfOneEngineThreadByDefault() {
    assertEquals("8x1", layout(Threads.from(Map.of(), 8)));
    assertEquals("2x1", layout(Threads.from(Map.of(AppConfig.DEVICE, " CPU "), 2)));
    assertEquals("1x1", layout(Threads.from(Map.of(), 1)));
  }

  @Test
  void whatIsGivenStaysAndTheOtherCountFillsTheCores() {
    assertEquals("2x4", layout(Threads.from(Map.of(Threads.STREAM_THREADS, "2"), 8)));
    assertEquals("3x2", layout(Threads.from(Map.of(Threads.STREAM_THREADS, "3"), 8)));
    // more stream threads than cores: one engine thread each, never none
    assertEquals("4x1", layout(Threads.from(Map.of(Threads.STREAM_THREADS, "4"), 2)));
    assertEquals("4x2", layout(Threads.from(Map.of(AppConfig.ENGINE_THREADS, "2"), 8)));
    // more engine threads than cores: one stream thread, never none
    assertEquals("1x3", layout(Threads.from(Map.of(AppConfig.ENGINE_THREADS, "3"), 2)));
    assertEquals("2x3", layout(Threads.from(Map.of(Threads.STREAM_THREADS, "2", AppConfig.ENGINE_THREADS, "3"), 8)));
  }

  @Test
  void onAGpuOneStreamThreadByDefault() {
    assertEquals("1x8", layout(Threads.from(Map.of(AppConfig.DEVICE, "gpu"), 8)));
    assertEquals("1x8", layout(Threads.from(Map.of(AppConfig.DEVICE, "GPU:1"), 8)));
    assertEquals("2x4", layout(Threads.from(Map.of(AppConfig.DEVICE, "gpu", Threads.STREAM_THREADS, "2"), 8)));
  }

  @Test
  void defaultStreamThreadsNarrowToThePartitionsAndGiveTheirCoresToTheEngine() {
    Threads eight = Threads.from(Map.of(), 8);
    assertEquals("2x4", layout(eight.forPartitions(2)));
    assertEquals("3x2", layout(eight.forPartitions(3)));
    assertEquals("8x1", layout(eight.forPartitions(8)));
    assertEquals("8x1", layout(eight.forPartitions(12)));
    // narrowed once, narrowed again: the cores stay shared out
    assertEquals("1x8", layout(eight.forPartitions(2).forPartitions(1)));
    // an engine count given stays; only the stream threads narrow
    assertEquals("2x1", layout(Threads.from(Map.of(AppConfig.ENGINE_THREADS, "1"), 8).forPartitions(2)));
    // a stream count given stays, idle threads and all: the user may be about to add partitions
    assertEquals("4x2", layout(Threads.from(Map.of(Threads.STREAM_THREADS, "4"), 8).forPartitions(2)));
    assertEquals("4x1", layout(new Threads(4, 1).forPartitions(1)));
  }

  @Test
  void passesRunOffTheStreamThreadsWhereAsked() {
    assertEquals(true, Threads.from(Map.of(AppConfig.PASS_THREADS, "true"), 2).passThreads());
    assertEquals(false, Threads.from(Map.of(AppConfig.PASS_THREADS, " false "), 2).passThreads());
    assertEquals(Threads.DEFAULT_PASS_THREADS, Threads.from(Map.of(), 2).passThreads());
    assertEquals(true, Threads.from(Map.of(AppConfig.PASS_THREADS, "true"), 8).forPartitions(2).passThreads());
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
    assertEquals("num.stream.threads must be a whole number, got '2.5'", assertThrows(IllegalArgumentException.class,
        () -> Threads.from(Map.of(Threads.STREAM_THREADS, "2.5"), 2)).getMessage());
    assertEquals("num.stream.threads and aep.engine.threads must be 1 or more, got 0 and 2",
        assertThrows(IllegalArgumentException.class,
            () -> Threads.from(Map.of(Threads.STREAM_THREADS, "0", AppConfig.ENGINE_THREADS, "2"), 2)).getMessage());
  }

  @Test
  void theInstanceAsksKafkaStreamsForItsStreamThreads() {
    AppConfig config = AppConfig.from(Map.of(AppConfig.MODEL, "m", Threads.STREAM_THREADS, "2"));
    assertEquals("2", String.valueOf(io.aepstreams.streams.topology.AepTopology.streamsProperties(config,
        new StageRange(1, 4)).get(org.apache.kafka.streams.StreamsConfig.NUM_STREAM_THREADS_CONFIG)));
    AppConfig byDefault = AppConfig.from(Map.of(AppConfig.MODEL, "m"));
    assertEquals(String.valueOf(Runtime.getRuntime().availableProcessors()), String.valueOf(
        io.aepstreams.streams.topology.AepTopology.streamsProperties(byDefault, new StageRange(1, 4))
            .get(org.apache.kafka.streams.StreamsConfig.NUM_STREAM_THREADS_CONFIG)));
    // fitted to one partition, as an instance does at start-up
    assertEquals("1", String.valueOf(io.aepstreams.streams.topology.AepTopology.streamsProperties(
        byDefault.withThreads(byDefault.threads().forPartitions(1)), new StageRange(1, 4))
        .get(org.apache.kafka.streams.StreamsConfig.NUM_STREAM_THREADS_CONFIG)));
  }
}
