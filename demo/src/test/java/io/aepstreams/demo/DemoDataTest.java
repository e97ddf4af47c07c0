package io.aepstreams.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aepstreams.model.data.IdxFiles;
import io.aepstreams.model.training.TinyData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo fetches Debian's dataset package when it is not installed. Fake {@code apt-get} and {@code dpkg-deb}
 * stand first on PATH and check what they are given as the real ones would; the demo's code runs in a child JVM
 * whose working directory is not the cache's parent, with the cache given as a relative path, as a user types it.
 */
class DemoDataTest {
  @TempDir Path dir;

  @Test
  void fetchesThePackageWithAbsolutePathsFromAnyWorkingDirectory() throws Exception {
    Path tools = Files.createDirectories(dir.resolve("tools"));
    Path payload = dir.resolve("payload");
    IdxFiles.write(payload, "train", TinyData.images(6, 1));
    IdxFiles.write(payload, "t10k", TinyData.images(5, 2));
    Path log = dir.resolve("calls.log");
    // apt-get download writes the .deb into its working directory.
    script(tools.resolve("apt-get"), "echo \"apt-get $* in $PWD\" >> " + log + "\n"
        + "[ \"$1 $2\" = \"download dataset-fashion-mnist\" ] || exit 100\n"
        + "echo fake > dataset-fashion-mnist_1.0_all.deb\n");
    // dpkg-deb -x ARCHIVE DIR fails, as the real one does, when the archive is not where it is told.
    script(tools.resolve("dpkg-deb"), "echo \"dpkg-deb $*\" >> " + log + "\n"
        + "[ \"$1\" = -x ] && [ -f \"$2\" ] || { echo \"failed to read archive '$2'\" >&2; exit 2; }\n"
        + "mkdir -p \"$3/usr/share/datasets/fashion-mnist\" && cp " + payload + "/* \"$3/usr/share/datasets/fashion-mnist/\"\n");
    Path work = Files.createDirectories(dir.resolve("somewhere-else"));

    Process probe = child(work, tools, dir.resolve("not-installed").toString(), "demo-cache");
    String output = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(probe.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, probe.exitValue(), output);
    Path extracted = work.resolve("demo-cache/fashion-mnist-package/usr/share/datasets/fashion-mnist");
    assertTrue(output.contains("found " + extracted + " with 5 test images"), output);
    List<String> calls = Files.readAllLines(log);
    assertEquals(List.of("apt-get download dataset-fashion-mnist in " + work.resolve("demo-cache"),
        "dpkg-deb -x " + work.resolve("demo-cache/dataset-fashion-mnist_1.0_all.deb") + " "
            + work.resolve("demo-cache/fashion-mnist-package")), calls);

    // A second demo finds the extracted package and fetches nothing.
    Process again = child(work, tools, dir.resolve("not-installed").toString(), "demo-cache");
    String second = new String(again.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(again.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, again.exitValue(), second);
    assertEquals(2, Files.readAllLines(log).size(), "no second fetch");
  }

  private static Process child(Path workingDirectory, Path tools, String... args) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new java.util.ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
        DemoDataProbe.class.getName()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).directory(workingDirectory.toFile())
        .redirectErrorStream(true);
    builder.environment().put("PATH", tools + ":" + System.getenv("PATH"));
    return builder.start();
  }

  private static void script(Path file, String body) throws IOException {
    Files.writeString(file, "#!/bin/sh\n" + body);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
  }
}
