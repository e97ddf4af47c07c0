package io.aepstreams.streams.config;

import java.util.Map;

/**
 * How an instance shares out the machine's cores: {@code streamThreads} Kafka Streams threads, whose forward passes
 * run with {@code engineThreads} intra-op threads of the engine each, on the stream thread itself or, where
 * {@code passThreads} (one per stream thread), on a thread of its own while the stream thread goes on with its Kafka
 * work. By default the threads of all the stream threads together match the cores: a core left to spin or idle while
 * a stream thread does its Kafka work is throughput lost (docs/design.md, "Cores").
 */
public record Threads(int streamThreads, int engineThreads, boolean passThreads) {
  /** Whether forward passes run off the stream threads unless {@link AppConfig#PASS_THREADS} says otherwise. */
  public static final boolean DEFAULT_PASS_THREADS = false;
  /** Kafka Streams' own key: it stays the one setting for the stream threads. */
  public static final String STREAM_THREADS = "num.stream.threads";
  /** The engine's key (system property or, upper-cased with _ for ., environment variable). */
  public static final String ENGINE_PROPERTY = "ai.djl.pytorch.num_threads";

  /** {@code streamThreads} and {@code engineThreads}, the passes where they run by default. */
  public Threads(int streamThreads, int engineThreads) {
    this(streamThreads, engineThreads, DEFAULT_PASS_THREADS);
  }

  public Threads {
    if (streamThreads < 1 || engineThreads < 1) {
      throw new IllegalArgumentException(STREAM_THREADS + " and " + AppConfig.ENGINE_THREADS
          + " must be 1 or more, got " + streamThreads + " and " + engineThreads);
    }
  }

  /** The layout the settings ask for on a machine with {@code cores} cores, with defaults for what they leave out. */
  static Threads from(Map<String, String> settings, int cores) {
    int stream = count(settings, STREAM_THREADS, 1);
    int engine = count(settings, AppConfig.ENGINE_THREADS, Math.max(1, cores / Math.max(1, stream)));
    return new Threads(stream, engine, AppConfig.flag(settings, AppConfig.PASS_THREADS, DEFAULT_PASS_THREADS));
  }

  private static int count(Map<String, String> settings, String key, int fallback) {
    String value = settings.get(key);
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      return Integer.parseInt(value.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " must be a whole number, got '" + value + "'");
    }
  }

  /**
   * Gives the engine its intra-op thread count, read when the engine loads: this must come before anything in the
   * JVM touches the engine, and it yields to {@value #ENGINE_PROPERTY} set on the command line or in the environment.
   * Returns the count the engine will use, as far as this JVM can tell.
   */
  public int applyToEngine() {
    String given = System.getProperty(ENGINE_PROPERTY, System.getenv("AI_DJL_PYTORCH_NUM_THREADS"));
    if (given != null && !given.isBlank()) {
      try {
        return Integer.parseInt(given.strip());
      } catch (NumberFormatException e) {
        return engineThreads;
      }
    }
    System.setProperty(ENGINE_PROPERTY, String.valueOf(engineThreads));
    return engineThreads;
  }
}
