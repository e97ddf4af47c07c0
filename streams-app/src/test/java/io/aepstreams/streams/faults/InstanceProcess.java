package io.aepstreams.streams.faults;

import io.aepstreams.streams.cli.AepCli;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./aep run} as its own OS process, as a deployment runs it, so that a test can stop it with a real SIGTERM
 * or SIGKILL. Its output goes to a file the test can read.
 */
final class InstanceProcess implements AutoCloseable {
  private final Process process;
  private final Path log;

  private InstanceProcess(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  /** Starts {@code aep run} with {@code settings} as {@code --set} pairs. */
  static InstanceProcess start(Path log, Map<String, String> settings) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>(List.of(java, "-Xmx1g", "-Dai.djl.offline=true", "-cp",
        System.getProperty("java.class.path"), AepCli.class.getName(), "run"));
    settings.forEach((key, value) -> command.addAll(List.of("--set", key + "=" + value)));
    Process process = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    return new InstanceProcess(process, log);
  }

  /**
   * Starts {@code aep run} for stage range {@code range} with {@code settings}, logging to a file of {@code dir}
   * named after the test, the range and the generation (how many were started for that range before).
   */
  static InstanceProcess start(Path dir, String name, String range, Map<String, String> settings, int generation)
      throws IOException {
    Map<String, String> instance = new java.util.HashMap<>(settings);
    instance.put(io.aepstreams.streams.config.AppConfig.STAGES, range);
    return start(dir.resolve(name + "-" + range + "-" + generation + ".log"), instance);
  }

  /** What every one of {@code instances} printed, one after another. */
  static String output(List<InstanceProcess> instances) throws IOException {
    StringBuilder out = new StringBuilder();
    for (InstanceProcess instance : instances) {
      out.append(instance.output()).append('\n');
    }
    return out.toString();
  }

  /** How many times the instances replaced a failed stream thread, by their logs. */
  static long replacedThreads(List<InstanceProcess> instances) throws IOException {
    return output(instances).lines().filter(l -> l.contains("stream thread failed; replacing it")).count();
  }

  /** SIGTERM, as Kubernetes stops a pod. */
  void terminate() {
    process.destroy();
  }

  /** SIGKILL: a crash. */
  void kill() {
    process.destroyForcibly();
  }

  /** The exit code, or -1 if it is still running after {@code limit}. */
  int waitFor(Duration limit) throws InterruptedException {
    return process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
  }

  boolean alive() {
    return process.isAlive();
  }

  String output() throws IOException {
    return Files.readString(log);
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
    }
  }
}
