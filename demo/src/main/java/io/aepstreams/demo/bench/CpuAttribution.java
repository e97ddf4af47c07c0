package io.aepstreams.demo.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.DoubleSupplier;
import java.util.stream.Stream;

/**
 * Who spent the CPU of a stretch of a run, per image: the model (on the stream threads, and on the engine's own
 * worker threads), the stream threads' Kafka work (poll, deserialise, decode, serialise, send, commit: what is left
 * of their CPU once the stage runs are taken out), the other client threads, the JVM's own, the broker. Java threads
 * are read from the JVM by name, its own and the engine's native threads from {@code /proc}; a sampling profiler
 * (JFR) cannot see the engine's native code, which is most of the model's time.
 */
final class CpuAttribution {
  /** The parts, in the order a report lists them. */
  enum Part {
    MODEL_STREAM("model, on the stream threads or the pass threads"),
    MODEL_WORKERS("model, the engine's worker threads"),
    STREAM_KAFKA("Kafka work of the stream threads"),
    PRODUCER_IO("the pipeline's producer I/O threads"),
    CONTROL("the control topic's global thread"),
    CLIENTS("other Kafka client threads"),
    BENCH("the benchmark's producer and reader"),
    GC("JVM: garbage collector"),
    JIT("JVM: compilers and its other threads"),
    OTHER("other threads of this JVM"),
    BROKER("broker");

    private final String words;

    Part(String words) {
      this.words = words;
    }

    String words() {
      return words;
    }
  }

  /** What was read at one moment. */
  record Snapshot(long process, Map<Long, Long> javaThreads, Map<Long, String> names, long gcThreads,
      long otherJvmThreads, double stageCpuSeconds, OptionalLong broker) {}

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  /** Native names (15 characters at most) of the JVM's own threads, which no Java API lists. */
  private static final List<String> GC_THREADS = List.of("GC Thread", "G1 ");
  private static final List<String> OTHER_JVM_THREADS = List.of("C1 CompilerThre", "C2 CompilerThre", "VM Thread",
      "VM Periodic", "Sweeper", "Monitor Deflati", "Service Thread");

  private CpuAttribution() {}

  /** Reads everything now; {@code stageCpuSeconds}: the stage runs' CPU so far; {@code broker}: the broker's. */
  static Snapshot take(DoubleSupplier stageCpuSeconds, OptionalLong broker) {
    Map<Long, Long> cpu = new HashMap<>();
    Map<Long, String> names = new HashMap<>();
    long[] ids = THREADS.getAllThreadIds();
    for (ThreadInfo info : THREADS.getThreadInfo(ids)) {
      if (info != null) {
        long time = THREADS.getThreadCpuTime(info.getThreadId());
        if (time >= 0) {
          cpu.put(info.getThreadId(), time);
          names.put(info.getThreadId(), info.getThreadName());
        }
      }
    }
    return new Snapshot(CpuTime.process(), cpu, names, jvmThreadNanos(GC_THREADS), jvmThreadNanos(OTHER_JVM_THREADS),
        stageCpuSeconds.getAsDouble(), broker);
  }

  /** CPU milliseconds per image between {@code from} and {@code to}, by part, over {@code images}. */
  static Map<Part, Double> perImage(Snapshot from, Snapshot to, long images) {
    Map<Part, Long> nanos = new EnumMap<>(Part.class);
    for (Part part : Part.values()) {
      nanos.put(part, 0L);
    }
    long java = 0;
    long stream = 0;
    long passes = 0;
    for (Map.Entry<Long, Long> thread : to.javaThreads().entrySet()) {
      long spent = thread.getValue() - from.javaThreads().getOrDefault(thread.getKey(), 0L);
      java += spent;
      String name = to.names().get(thread.getKey());
      Part part = partOf(name);
      if (part == Part.STREAM_KAFKA) {
        stream += spent;
      } else if (part == Part.MODEL_STREAM) {
        passes += spent;
      } else {
        nanos.merge(part, spent, Long::sum);
      }
    }
    // the stage runs count the CPU of whichever thread ran them: a pass thread's is all model, and what is left
    // of them ran on the stream threads
    long model = Math.round((to.stageCpuSeconds() - from.stageCpuSeconds()) * 1e9);
    long onStream = Math.max(0, model - passes);
    nanos.put(Part.MODEL_STREAM, passes + Math.min(onStream, stream));
    nanos.put(Part.STREAM_KAFKA, Math.max(0, stream - onStream));
    long gc = to.gcThreads() - from.gcThreads();
    long jit = to.otherJvmThreads() - from.otherJvmThreads();
    nanos.put(Part.GC, gc);
    nanos.put(Part.JIT, jit);
    long jvm = gc + jit;
    nanos.put(Part.MODEL_WORKERS, Math.max(0, to.process() - from.process() - java - jvm));
    if (to.broker().isPresent() && from.broker().isPresent()) {
      nanos.put(Part.BROKER, to.broker().getAsLong() - from.broker().getAsLong());
    } else {
      nanos.remove(Part.BROKER);
    }
    Map<Part, Double> out = new EnumMap<>(Part.class);
    nanos.forEach((part, n) -> out.put(part, n / 1e6 / images));
    return out;
  }

  /** The CPU per image spent outside the model: every part but the model's own two ({@code cpuByPart} by name). */
  static double outsideModel(Map<String, Double> cpuByPart) {
    return cpuByPart.entrySet().stream().filter(e -> !e.getKey().equals(Part.MODEL_STREAM.name())
        && !e.getKey().equals(Part.MODEL_WORKERS.name())).mapToDouble(Map.Entry::getValue).sum();
  }

  /**
   * The most a pipeline can manage on {@code cores} cores, images/s: the model loop's rate, or, where the loop
   * already keeps every core busy, what the cores give at the loop's CPU per image plus the pipeline's CPU per image
   * outside the model (the broker's included where it shares the machine), whichever is less. It assumes the model
   * costs in the pipeline what it costs in the loop and no core ever idles, so a pipeline below it is losing to
   * worse batches or to idle cores, and a target above it cannot be met on this machine.
   */
  static double ceilingPerSecond(int cores, double loopPerSecond, double loopCpuMillis, double outsideModelMillis) {
    return Math.min(loopPerSecond, cores * 1000.0 / (loopCpuMillis + outsideModelMillis));
  }

  /** Which part a Java thread's CPU goes to, by the names Kafka and this project give their threads. */
  static Part partOf(String name) {
    if (name == null) {
      return Part.OTHER;
    }
    if (name.startsWith("kafka-producer-network-thread")) {
      return name.contains("-StreamThread-") ? Part.PRODUCER_IO : Part.BENCH;
    }
    if (name.contains("-GlobalStreamThread")) {
      return Part.CONTROL;
    }
    if (name.contains("-StreamThread-")) {
      return Part.STREAM_KAFKA;
    }
    if (name.startsWith("kafka-") || name.contains("consumer_background") || name.contains("heartbeat")) {
      return Part.CLIENTS;
    }
    if (name.startsWith("aep-pass-")) {
      return Part.MODEL_STREAM;
    }
    if (name.startsWith("bench-")) {
      return Part.BENCH;
    }
    return Part.OTHER;
  }

  /**
   * CPU of this process's threads that the JVM runs for itself whose native names start with one of {@code names},
   * from /proc (Linux; 0 elsewhere).
   */
  private static long jvmThreadNanos(List<String> names) {
    long ticks = 0;
    try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
      for (Path task : (Iterable<Path>) tasks::iterator) {
        try {
          String stat = Files.readString(task.resolve("stat"));
          int open = stat.indexOf('(');
          int close = stat.lastIndexOf(')');
          String comm = stat.substring(open + 1, close);
          if (names.stream().anyMatch(comm::startsWith)) {
            String[] fields = stat.substring(close + 2).split(" ");
            ticks += Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime
          }
        } catch (IOException | RuntimeException e) {
          // the thread ended meanwhile
        }
      }
    } catch (IOException e) {
      return 0;
    }
    return ticks * 10_000_000L; // USER_HZ is 100 on Linux
  }
}
