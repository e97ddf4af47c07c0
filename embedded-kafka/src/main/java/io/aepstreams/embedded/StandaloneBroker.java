package io.aepstreams.embedded;

import java.io.IOException;
import java.io.InputStream;

/**
 * The embedded broker as a process of its own: started by the benchmark so that the broker does not share a JVM
 * with the pipeline it measures, as in production. Prints {@code bootstrap.servers=HOST:PORT} once the broker
 * answers, then runs until its standard input ends (the parent exited or closed it) or it is stopped.
 */
public final class StandaloneBroker {
  /** The line a parent reads the broker's address from. */
  public static final String READY_PREFIX = "bootstrap.servers=";

  private StandaloneBroker() {}

  public static void main(String[] args) throws IOException {
    EmbeddedKafka kafka = EmbeddedKafka.start();
    Thread stop = new Thread(kafka::close, "standalone-broker-stop");
    Runtime.getRuntime().addShutdownHook(stop);
    System.out.println(READY_PREFIX + kafka.bootstrapServers());
    System.out.flush();
    InputStream in = System.in;
    while (in.read() >= 0) {
      // nothing is read from the parent: its end of the pipe closing is the signal to stop
    }
    Runtime.getRuntime().removeShutdownHook(stop);
    kafka.close();
  }
}
