package io.aepstreams.streams.config;

import io.aepstreams.model.DeviceSpec;
import java.util.Map;

/**
 * How an instance shares out the machine's cores: {@code streamThreads} Kafka Streams threads, whose forward passes
 * run with {@code engineThreads} intra-op threads of the engine each, on the stream thread itself or, where
 * {@code passThreads} (one per stream thread), on a thread of its own while the stream thread goes on with its Kafka
 * work. By default, on the CPU, one stream thread per core with one engine thread each: a pass split across
 * intra-op threads wastes much of its CPU waiting between them, and while one stream thread commits or polls the
 * others run passes (measured on two models and two batch sizes: docs/design.md, "Cores"). The stream threads an
 * instance has no tasks for would idle, so a count left to the default narrows to the partitions there are
 * ({@link #forPartitions}). {@code streamThreadsGiven} and {@code engineThreadsGiven}: whether the settings named
 * them, so that only the defaults move.
 */
public record Threads(int streamThreads, int engineThreads, boolean passThreads, boolean streamThreadsGiven,
    boolean engineThreadsGiven) {
  /** Whether forward passes run off the stream threads unless {@link AppConfig#PASS_THREADS} says otherwise. */
  public static final boolean DEFAULT_PASS_THREADS = false;
  /** Kafka Streams' own key: it stays the one setting for the stream threads. */
  public static final String STREAM_THREADS = "num.stream.threads";
  /** The engine's key (system property or, upper-cased with _ for ., environment variable). */
  public static final String ENGINE_PROPERTY = "ai.djl.pytorch.num_threads";

  /** A layout given in full: {@code streamThreads} and {@code engineThreads}, the passes where they run by default. */
  public Threads(int streamThreads, int engineThreads) {
    this(streamThreads, engineThreads, DEFAULT_PASS_THREADS);
  }

  /** A layout given in full. */
  public Threads(int streamThreads, int engineThreads, boolean passThreads) {
    this(streamThreads, engineThreads, passThreads, true, true);
  }

  public Threads {
    if (streamThreads < 1 || engineThreads < 1) {
      throw new IllegalArgumentException(STREAM_THREADS + " and " + AppConfig.ENGINE_THREADS
          + " must be 1 or more, got " + streamThreads + " and " + engineThreads);
    }
  }

  /**
   * The layout the settings ask for on a machine with {@code cores} cores, with defaults for what they leave out: on
   * the CPU the stream threads times the engine threads match the cores, one engine thread each unless given; on a
   * GPU ({@link AppConfig#DEVICE} {@code gpu...}), where the passes are not the cores' work, one stream thread.
   */
  static Threads from(Map<String, String> settings, int cores) {
    boolean gpu = DeviceSpec.isGpu(settings.get(AppConfig.DEVICE));
    boolean streamGiven = given(settings, STREAM_THREADS);
    boolean engineGiven = given(settings, AppConfig.ENGINE_THREADS);
    int engineAsked = engineGiven ? count(settings, AppConfig.ENGINE_THREADS) : 1;
    int stream = streamGiven ? count(settings, STREAM_THREADS) : gpu ? 1 : Math.max(1, cores / engineAsked);
    int engine = engineGiven ? engineAsked : Math.max(1, cores / stream);
    return new Threads(stream, engine, AppConfig.flag(settings, AppConfig.PASS_THREADS, DEFAULT_PASS_THREADS),
        streamGiven, engineGiven);
  }

  /**
   * This layout for an instance whose topics have {@code partitions} partitions, so as many tasks per sub-topology:
   * stream threads beyond that would have nothing to run, so a default count narrows to it, and the engine threads,
   * where also left to the default, take the cores the idle threads would have had. A count that was given stays.
   */
  public Threads forPartitions(int partitions) {
    if (streamThreadsGiven || partitions < 1 || streamThreads <= partitions) {
      return this;
    }
    int engine = engineThreadsGiven ? engineThreads : Math.max(1, streamThreads * engineThreads / partitions);
    return new Threads(partitions, engine, passThreads, false, engineThreadsGiven);
  }

  private static boolean given(Map<String, String> settings, String key) {
    String value = settings.get(key);
    return value != null && !value.isBlank();
  }

  private static int count(Map<String, String> settings, String key) {
    String value = settings.get(key);
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

  /** In words, for the start-up log and the bench's header. */
  public String describe() {
    return streamThreads + " stream thread(s), " + engineThreads + " engine thread(s) per forward pass, passes "
        + (passThreads ? "on a thread of their own for each" : "on the stream threads");
  }
}
