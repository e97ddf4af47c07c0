package io.aepstreams.embedded;

import java.io.IOException;

/**
 * The embedded broker as a process of its own: started by the benchmark so that the broker does not share a JVM
 * with the pipeline it measures, as in production. Prints {@code bootstrap.servers=HOST:PORT} once the broker
 * answers, then runs until its standard input ends (the parent exited or closed it) or it is stopped. A line
 * {@code jit} on its input is answered with {@code jit-ms=N}, the time its JIT compilers have spent so far: how the
 * benchmark tells that the broker has warmed up.
 */
public final class StandaloneBroker {
  /** The line a parent reads the broker's address from. */
  public static final String READY_PREFIX = "bootstrap.servers=";
  /** What a parent asks, and the start of the answer. */
  public static final String JIT_QUESTION = "jit";
  public static final String JIT_PREFIX = "jit-ms=";

  private StandaloneBroker() {}

  public static void main(String[] args) throws IOException {
    EmbeddedKafka kafka = EmbeddedKafka.start();
    Thread stop = new Thread(kafka::close, "standalone-broker-stop");
    Runtime.getRuntime().addShutdownHook(stop);
    System.out.println(READY_PREFIX + kafka.bootstrapServers());
    System.out.flush();
    java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(System.in,
        java.nio.charset.StandardCharsets.UTF_8));
    String line;
    // the parent's end of the pipe closing is the signal to stop
    while ((line = in.readLine()) != null) {
      if (line.strip().equals(JIT_QUESTION)) {
        System.out.println(JIT_PREFIX + java.lang.management.ManagementFactory.getCompilationMXBean()
            .getTotalCompilationTime());
        System.out.flush();
      }
    }
    Runtime.getRuntime().removeShutdownHook(stop);
    kafka.close();
  }
}
