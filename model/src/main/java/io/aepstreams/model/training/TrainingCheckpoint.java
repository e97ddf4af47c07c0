package io.aepstreams.model.training;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.aepstreams.model.backbone.AepNetwork;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A training run's state after its last finished epoch, in a folder: the network, the optimiser's moments, the best
 * epoch's network and the progress (history, early-stopping counters). Written after every epoch, progress last and
 * by atomic rename, so a run killed at any moment resumes from its last whole epoch. A checkpoint belongs to one
 * setup (network, weights, data, options but the epoch limit): another setup is refused, not mixed in.
 */
public final class TrainingCheckpoint {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PROGRESS = "progress.json";

  /** Where a run stands; {@code finished} once it stopped early or reached its epoch limit. */
  public record Progress(String setup, int epochsDone, List<EpochStats> history, int bestEpoch, double bestAccuracy,
      double bestLoss, int sinceBetterLoss, boolean stoppedEarly) {}

  /** What a resumed run restores. */
  record Resumed(Progress progress, byte[] best) {}

  private final Path dir;

  public TrainingCheckpoint(Path dir) {
    this.dir = dir;
  }

  public Path dir() {
    return dir;
  }

  /** The saved progress, or null when there is none. */
  public Progress progress() {
    Path file = dir.resolve(PROGRESS);
    if (!Files.isRegularFile(file)) {
      return null;
    }
    try {
      return JSON.readValue(file.toFile(), Progress.class);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the checkpoint " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Restores {@code network} (initialised, not yet given to a trainer: loading replaces each parameter's array, and a
   * trainer only tracks the gradients of the arrays it finds when it initialises) and {@code adam} when this folder
   * holds a checkpoint of {@code setup}; null when it holds none. A checkpoint of another setup is an error.
   */
  Resumed resume(String setup, AepNetwork network, ResumableAdam adam, ai.djl.ndarray.NDManager manager) {
    Progress progress = progress();
    if (progress == null) {
      return null;
    }
    if (!progress.setup().equals(setup)) {
      throw new IllegalArgumentException("the checkpoint in " + dir + " is of another run (" + progress.setup()
          + "), not of this one (" + setup + "): give another folder or delete it");
    }
    try {
      load(network, Files.readAllBytes(dir.resolve("last.params")), manager);

      try (DataInputStream in = new DataInputStream(Files.newInputStream(dir.resolve("last.adam")))) {
        adam.load(network.getParameters(), in);
      }
      return new Resumed(progress, Files.readAllBytes(dir.resolve("best.params")));
    } catch (IOException | ai.djl.MalformedModelException e) {
      throw new IllegalStateException("cannot resume from the checkpoint in " + dir + ": " + e.getMessage(), e);
    }
  }

  /** Saves the state after an epoch; {@code best} is rewritten only when it changed. */
  void save(Progress progress, AepNetwork network, ResumableAdam adam, byte[] best, boolean bestChanged) {
    try {
      Files.createDirectories(dir);
      write("last.params", parameters(network));
      ByteArrayOutputStream moments = new ByteArrayOutputStream();
      try (DataOutputStream out = new DataOutputStream(moments)) {
        adam.save(network.getParameters(), out);
      }
      write("last.adam", moments.toByteArray());
      if (bestChanged || !Files.exists(dir.resolve("best.params"))) {
        write("best.params", best);
      }
      write(PROGRESS, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(progress));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the checkpoint in " + dir + ": " + e.getMessage(), e);
    }
  }

  /** Removes the folder, once what it protected has been written elsewhere. */
  public void delete() {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete the checkpoint " + dir + ": " + e.getMessage(), e);
    }
  }

  static byte[] parameters(AepNetwork network) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      network.saveParameters(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  static void load(AepNetwork network, byte[] parameters, ai.djl.ndarray.NDManager manager) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(parameters))) {
      network.loadParameters(manager, in);
    } catch (IOException | ai.djl.MalformedModelException e) {
      throw new IllegalStateException("cannot restore saved parameters: " + e.getMessage(), e);
    }
  }

  private void write(String name, byte[] bytes) throws IOException {
    Path tmp = dir.resolve(name + ".tmp");
    Files.write(tmp, bytes);
    Files.move(tmp, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
