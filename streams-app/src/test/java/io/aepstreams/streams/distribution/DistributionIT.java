package io.aepstreams.streams.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The production distribution as a user gets it: the archive {@code ./mvnw package} makes, unpacked into an empty
 * folder and run from there with nothing but Java on the PATH.
 */
class DistributionIT {
  @TempDir Path empty;

  private record Run(int exit, String output) {}

  private Run run(Path home, String... args) throws IOException, InterruptedException {
    List<String> command = new java.util.ArrayList<>(List.of(home.resolve("bin/aep").toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).directory(empty.toFile()).redirectErrorStream(true);
    builder.environment().remove("CLASSPATH");
    builder.environment().remove("AEP_JAVA_OPTS");
    builder.environment().put("PATH", Path.of(System.getProperty("java.home"), "bin") + ":/usr/bin:/bin");
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(60, TimeUnit.SECONDS), "finished");
    return new Run(process.exitValue(), output);
  }

  @Test
  void theArchiveRunsFromAnEmptyFolderAndShipsNoBroker() throws Exception {
    Path archive = Path.of(System.getProperty("aep.distribution"));
    assertTrue(Files.isRegularFile(archive), "built by ./mvnw package: " + archive);
    Process untar = new ProcessBuilder("tar", "-xzf", archive.toString(), "-C", empty.toString())
        .redirectErrorStream(true).start();
    assertEquals(0, untar.waitFor(), new String(untar.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    Path home;
    try (Stream<Path> top = Files.list(empty)) {
      home = top.findFirst().orElseThrow();
    }
    assertTrue(Files.isExecutable(home.resolve("bin/aep")));
    List<String> jars;
    try (Stream<Path> lib = Files.list(home.resolve("lib"))) {
      jars = lib.map(p -> p.getFileName().toString()).sorted().toList();
    }
    assertTrue(jars.stream().anyMatch(j -> j.startsWith("aep-streams-app-")), jars.toString());
    assertTrue(jars.stream().anyMatch(j -> j.startsWith("kafka-streams-")), jars.toString());
    assertTrue(jars.stream().anyMatch(j -> j.startsWith("pytorch-native-cpu-")), "the PyTorch CPU natives: " + jars);
    for (String forbidden : List.of("kafka_2.13-", "kafka-server-", "aep-embedded-kafka-", "aep-demo-", "junit-",
        "kafka-streams-test-utils-")) {
      assertTrue(jars.stream().noneMatch(j -> j.startsWith(forbidden)), forbidden + " shipped: " + jars);
    }

    Run version = run(home, "--version");
    assertEquals(0, version.exit(), version.output());
    assertEquals("AEP Streams 0.1.0", version.output().strip());
    Run help = run(home, "run", "--help");
    assertEquals(0, help.exit(), help.output());
    assertTrue(help.output().contains("--config"), help.output());
    Run demo = run(home, "demo");
    assertEquals(2, demo.exit(), "the demo is not part of the distribution: " + demo.output());
  }
}
