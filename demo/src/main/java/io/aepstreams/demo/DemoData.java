package io.aepstreams.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Finds Fashion-MNIST for the demo: Debian's {@code dataset-fashion-mnist} where it is installed; otherwise the same
 * package fetched into a local cache without root ({@code apt-get download}, then {@code dpkg-deb -x}).
 */
public final class DemoData {
  static final Path SYSTEM = Path.of("/usr/share/datasets/fashion-mnist");
  private static final String PACKAGE = "dataset-fashion-mnist";
  private static final String HOW = "install it with: sudo apt-get install " + PACKAGE + " (or pass --data DIR with "
      + "train-/t10k-*-idx?-ubyte.gz files)";

  private DemoData() {}

  /** The dataset folder; a one-line {@link IllegalStateException} saying how to get it when it cannot be found. */
  public static Path locate(Path cache) {
    return locate(SYSTEM, cache);
  }

  /** As {@link #locate(Path)}, with the installed package's folder given. */
  static Path locate(Path installed, Path relativeOrAbsoluteCache) {
    if (Files.isDirectory(installed)) {
      return installed;
    }
    // Absolute: the tools run inside the cache folder, where a relative path would point nowhere.
    Path cache = relativeOrAbsoluteCache.toAbsolutePath().normalize();
    Path extracted = cache.resolve("fashion-mnist-package").resolve("usr/share/datasets/fashion-mnist");
    if (Files.isDirectory(extracted)) {
      return extracted;
    }
    System.out.println("Fashion-MNIST is not installed; fetching Debian's " + PACKAGE + " into " + cache + " ...");
    try {
      Files.createDirectories(cache);
      run(cache, List.of("apt-get", "download", PACKAGE));
      Path deb;
      try (Stream<Path> files = Files.list(cache)) {
        deb = files.filter(f -> f.getFileName().toString().startsWith(PACKAGE) && f.toString().endsWith(".deb"))
            .findFirst().orElseThrow(() -> new IllegalStateException("apt-get download left no .deb"));
      }
      run(cache, List.of("dpkg-deb", "-x", deb.toString(), cache.resolve("fashion-mnist-package").toString()));
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException("Fashion-MNIST is not here and could not be fetched (" + e.getMessage()
          + "); " + HOW);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while fetching Fashion-MNIST; " + HOW);
    }
    if (!Files.isDirectory(extracted)) {
      throw new IllegalStateException("the fetched package holds no " + extracted + "; " + HOW);
    }
    return extracted;
  }

  private static void run(Path dir, List<String> command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes());
    if (!process.waitFor(5, TimeUnit.MINUTES) || process.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed: " + output.strip().lines()
          .reduce((first, second) -> second).orElse("no output"));
    }
  }
}
