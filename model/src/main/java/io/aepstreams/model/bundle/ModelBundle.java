package io.aepstreams.model.bundle;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.aepstreams.model.backbone.AepNetwork;
import io.aepstreams.model.backbone.Backbones;
import io.aepstreams.model.ensemble.ExitWeights;
import io.aepstreams.model.backbone.StagedNetwork;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * A model bundle on disk (docs/design.md §3): a directory, or the same files in a .zip, holding {@code manifest.json}
 * and one parameter file per kept stage and per kept exit head, each loadable alone: an instance that runs stages
 * 2-4 never reads stage 1's file.
 */
public final class ModelBundle {
  public static final String MANIFEST = "manifest.json";
  static final ObjectMapper JSON = new ObjectMapper()
      .enable(SerializationFeature.INDENT_OUTPUT)
      // The version is a hash of this text: maps must come out in one order, whatever order they were built in.
      .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private final Path location;
  private final Manifest manifest;
  private StagedNetwork blocks;

  private ModelBundle(Path location, Manifest manifest) {
    this.location = location;
    this.manifest = manifest;
  }

  /** Opens a bundle directory or .zip and reads its manifest (no parameters yet). */
  public static ModelBundle open(Path location) {
    if (!Files.exists(location)) {
      throw new BundleException("no model bundle at " + location);
    }
    Manifest manifest;
    try {
      manifest = JSON.readValue(read(location, MANIFEST), Manifest.class);
    } catch (IOException e) {
      throw new BundleException(location + "/" + MANIFEST + " is not a readable manifest: " + e.getMessage(), e);
    }
    if (manifest.format() != Manifest.FORMAT) {
      throw new BundleException(location + " has bundle format " + manifest.format() + "; this build reads format "
          + Manifest.FORMAT);
    }
    return new ModelBundle(location, manifest);
  }

  public Manifest manifest() {
    return manifest;
  }

  public Path location() {
    return location;
  }

  /** Stage {@code stage}'s block with its trained parameters, on {@code manager}; reads only that stage's file. */
  public Block loadStage(int stage, NDManager manager) {
    Manifest.Stage entry = manifest.stage(stage);
    Block block = blocks().stages().get(stage - 1);
    return load(block, entry.file(), entry.inputShape(), manager);
  }

  /** The exit head after {@code stage}, with its trained parameters; reads only that head's file. */
  public Block loadExit(int stage, NDManager manager) {
    Manifest.Exit entry = manifest.exit(stage);
    if (entry == null) {
      throw new BundleException("exit " + stage + " was pruned from " + manifest.name() + "; kept exits: "
          + manifest.exitStages());
    }
    Block block = blocks().heads().get(stage - 1);
    return load(block, entry.file(), manifest.stage(stage).outputShape(), manager);
  }

  /**
   * Every kept stage and exit loaded into one network, with the bundle's weights: for evaluating, pruning further
   * or calibrating the bundle as a whole. Its blocks are this bundle's; load it once.
   */
  public ModelParts loadNetwork(NDManager manager) {
    for (Manifest.Stage stage : manifest.stages()) {
      loadStage(stage.stage(), manager);
    }
    for (Manifest.Exit exit : manifest.exits()) {
      loadExit(exit.stage(), manager);
    }
    AepNetwork network = new AepNetwork(blocks(), manifest.exitStages());
    ExitWeights weights = new ExitWeights(manifest.scheme(),
        manifest.exits().stream().map(Manifest.Exit::a).toList(),
        manifest.exits().stream().map(Manifest.Exit::b).toList());
    return new ModelParts(manifest.backbone(), blocks(), network, weights, manifest.input(), manifest.classNames(),
        manager);
  }

  private synchronized StagedNetwork blocks() {
    if (blocks == null) {
      blocks = Backbones.build(manifest.backbone());
    }
    return blocks;
  }

  private Block load(Block block, String file, java.util.List<Long> inputShape, NDManager manager) {
    Shape shape = new Shape(1).addAll(new Shape(inputShape.stream().mapToLong(Long::longValue).toArray()));
    block.initialize(manager, DataType.FLOAT32, shape);
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(read(location, file)))) {
      block.loadParameters(manager, in);
    } catch (IOException | MalformedModelException e) {
      throw new BundleException("cannot load " + location + "/" + file + ": " + e.getMessage(), e);
    }
    return block;
  }

  /**
   * Writes a bundle directory: the parameter files, then the manifest with its version set to the content hash of
   * both. Returns the manifest as written.
   */
  public static Manifest write(Path dir, Manifest manifest, Map<String, Block> parameterFiles) {
    try {
      Files.createDirectories(dir);
      Map<String, byte[]> files = new LinkedHashMap<>();
      for (Map.Entry<String, Block> file : parameterFiles.entrySet()) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
          file.getValue().saveParameters(out);
        }
        files.put(file.getKey(), bytes.toByteArray());
      }
      Manifest versioned = manifest.withVersion(contentHash(manifest.withVersion(""), files));
      for (Map.Entry<String, byte[]> file : files.entrySet()) {
        Files.write(dir.resolve(file.getKey()), file.getValue());
      }
      Files.writeString(dir.resolve(MANIFEST), JSON.writeValueAsString(versioned), StandardCharsets.UTF_8);
      return versioned;
    } catch (IOException e) {
      throw new BundleException("cannot write the bundle to " + dir + ": " + e.getMessage(), e);
    }
  }

  /** Rewrites only the manifest of a bundle directory (a new policy, new metrics), with a new version. */
  public static Manifest rewriteManifest(Path dir, Manifest manifest) {
    try {
      Map<String, byte[]> files = new LinkedHashMap<>();
      for (Manifest.Stage s : manifest.stages()) {
        files.put(s.file(), Files.readAllBytes(dir.resolve(s.file())));
      }
      for (Manifest.Exit e : manifest.exits()) {
        files.put(e.file(), Files.readAllBytes(dir.resolve(e.file())));
      }
      Manifest versioned = manifest.withVersion(contentHash(manifest.withVersion(""), files));
      Files.writeString(dir.resolve(MANIFEST), JSON.writeValueAsString(versioned), StandardCharsets.UTF_8);
      return versioned;
    } catch (IOException e) {
      throw new BundleException("cannot rewrite " + dir.resolve(MANIFEST) + ": " + e.getMessage(), e);
    }
  }

  /** Packs a bundle directory into a .zip with the same files. */
  public static void zip(Path dir, Path zipFile) {
    Manifest manifest = open(dir).manifest();
    try (OutputStream file = Files.newOutputStream(zipFile); ZipOutputStream zip = new ZipOutputStream(file)) {
      java.util.List<String> names = new java.util.ArrayList<>();
      names.add(MANIFEST);
      manifest.stages().forEach(s -> names.add(s.file()));
      manifest.exits().forEach(e -> names.add(e.file()));
      for (String name : names) {
        zip.putNextEntry(new ZipEntry(name));
        zip.write(Files.readAllBytes(dir.resolve(name)));
        zip.closeEntry();
      }
    } catch (IOException e) {
      throw new BundleException("cannot write " + zipFile + ": " + e.getMessage(), e);
    }
  }

  static String contentHash(Manifest unversioned, Map<String, byte[]> files) throws IOException {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(JSON.writeValueAsBytes(unversioned));
      for (Map.Entry<String, byte[]> file : files.entrySet()) {
        sha.update(file.getKey().getBytes(StandardCharsets.UTF_8));
        sha.update(file.getValue());
      }
      return HexFormat.of().formatHex(sha.digest()).substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] read(Path location, String name) {
    try {
      if (Files.isDirectory(location)) {
        return Files.readAllBytes(location.resolve(name));
      }
      try (ZipFile zip = new ZipFile(location.toFile())) {
        ZipEntry entry = zip.getEntry(name);
        if (entry == null) {
          throw new BundleException(location + " has no " + name);
        }
        return zip.getInputStream(entry).readAllBytes();
      }
    } catch (NoSuchFileException e) {
      throw new BundleException(location + " has no " + name);
    } catch (java.util.zip.ZipException e) {
      throw new BundleException(location + " is neither a bundle directory nor a .zip: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new BundleException("cannot read " + name + " from " + location + ": " + e.getMessage(), e);
    }
  }
}
