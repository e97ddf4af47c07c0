package io.aepstreams.demo.bench;

import io.aepstreams.embedded.EmbeddedKafka;
import io.aepstreams.embedded.StandaloneBroker;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * The broker a benchmark runs against: inside this JVM, a process of its own on this machine (as in production,
 * where the broker never shares the pipeline's JVM), or one already running elsewhere.
 */
final class Broker implements AutoCloseable {
  /** How the bench was asked to reach a broker. */
  enum Where {
    IN_JVM, OWN_PROCESS, EXTERNAL
  }

  private final Where where;
  private final String bootstrap;
  private final EmbeddedKafka inJvm;
  private final Process process;
  private final Thread killer;
  private final java.util.concurrent.BlockingQueue<Long> jitAnswers = new java.util.concurrent.LinkedBlockingQueue<>();

  private Broker(Where where, String bootstrap, EmbeddedKafka inJvm, Process process, Thread killer) {
    this.where = where;
    this.bootstrap = bootstrap;
    this.inJvm = inJvm;
    this.process = process;
    this.killer = killer;
  }

  static Broker inJvm() {
    EmbeddedKafka kafka = EmbeddedKafka.start();
    return new Broker(Where.IN_JVM, kafka.bootstrapServers(), kafka, null, null);
  }

  static Broker external(String bootstrapServers) {
    return new Broker(Where.EXTERNAL, bootstrapServers, null, null, null);
  }

  /**
   * The embedded broker in a JVM of its own, on this JVM's class path, its output in {@code log}; stopped with this
   * JVM at the latest.
   */
  static Broker ownProcess(Path log) {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>(List.of(java, "-Xms512m", "-Xmx1g", "-cp",
        System.getProperty("java.class.path"), StandaloneBroker.class.getName()));
    try {
      Process process = new ProcessBuilder(command).redirectError(log.toFile()).start();
      Thread killer = new Thread(process::destroy, "bench-broker-stop");
      Runtime.getRuntime().addShutdownHook(killer);
      BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      String line;
      while ((line = out.readLine()) != null && !line.startsWith(StandaloneBroker.READY_PREFIX)) {
        // the broker's own lines before it is ready go nowhere: its log has them
      }
      if (line == null) {
        process.waitFor(10, TimeUnit.SECONDS);
        throw new IllegalStateException("the broker process ended before it was ready; see " + log);
      }
      Broker broker = new Broker(Where.OWN_PROCESS, line.substring(StandaloneBroker.READY_PREFIX.length()), null,
          process, killer);
      // drained, so that the broker never blocks on a full pipe; its answers about its JIT kept
      Thread drain = new Thread(() -> {
        try {
          String next;
          while ((next = out.readLine()) != null) {
            if (next.startsWith(StandaloneBroker.JIT_PREFIX)) {
              broker.jitAnswers.add(Long.parseLong(next.substring(StandaloneBroker.JIT_PREFIX.length()).strip()));
            }
          }
        } catch (IOException | NumberFormatException e) {
          // the process ended
        }
      }, "bench-broker-out");
      drain.setDaemon(true);
      drain.start();
      return broker;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the broker process", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting the broker", e);
    }
  }

  String bootstrapServers() {
    return bootstrap;
  }

  Where where() {
    return where;
  }

  /** CPU time the broker has used so far, where it can be told apart: only as a process of its own. */
  OptionalLong cpuNanos() {
    if (process == null) {
      return OptionalLong.empty();
    }
    return process.info().totalCpuDuration().map(Duration::toNanos).map(OptionalLong::of)
        .orElse(OptionalLong.empty());
  }

  /**
   * Milliseconds the broker's JIT compilers have spent so far, where it runs as a process of this bench's (in this
   * JVM, this JVM's own count has it); empty otherwise.
   */
  OptionalLong jitMillis() {
    if (process == null) {
      return OptionalLong.empty();
    }
    try {
      process.getOutputStream().write((StandaloneBroker.JIT_QUESTION + "\n").getBytes(StandardCharsets.UTF_8));
      process.getOutputStream().flush();
      Long answer = jitAnswers.poll(10, TimeUnit.SECONDS);
      return answer == null ? OptionalLong.empty() : OptionalLong.of(answer);
    } catch (IOException e) {
      return OptionalLong.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return OptionalLong.empty();
    }
  }

  /** The words a report gives the broker. */
  String description() {
    return switch (where) {
      case IN_JVM -> "in the benchmark's JVM";
      case OWN_PROCESS -> "a process of its own on this machine (pid " + process.pid() + ")";
      case EXTERNAL -> "external, at " + bootstrap;
    };
  }

  @Override
  public void close() {
    if (inJvm != null) {
      inJvm.close();
    }
    if (process != null) {
      try {
        process.getOutputStream().close(); // its signal to stop cleanly
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
        Runtime.getRuntime().removeShutdownHook(killer);
      } catch (IOException e) {
        process.destroyForcibly();
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      } catch (IllegalStateException e) {
        // this JVM is already shutting down: the hook stops the broker
      }
    }
  }
}
