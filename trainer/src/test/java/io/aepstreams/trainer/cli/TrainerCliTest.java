package io.aepstreams.trainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aepstreams.model.bundle.ModelBundle;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The trainer's commands end to end on a tiny IDX dataset made here. */
class TrainerCliTest {
  @TempDir static Path data;
  @TempDir Path work;

  /** 8x8 images: class 0 bright on top, class 1 bright at the bottom. */
  @BeforeAll
  static void writeDataset() throws IOException {
    writeSplit("train", 160, 1);
    writeSplit("t10k", 60, 2);
  }

  private static void writeSplit(String prefix, int count, long seed) throws IOException {
    Random random = new Random(seed);
    try (DataOutputStream images = gzip(data.resolve(prefix + "-images-idx3-ubyte.gz"));
        DataOutputStream labels = gzip(data.resolve(prefix + "-labels-idx1-ubyte.gz"))) {
      images.writeInt(0x803);
      images.writeInt(count);
      images.writeInt(8);
      images.writeInt(8);
      labels.writeInt(0x801);
      labels.writeInt(count);
      for (int i = 0; i < count; i++) {
        int label = i % 2;
        labels.writeByte(label);
        for (int p = 0; p < 64; p++) {
          boolean bright = label == 0 ? p < 32 : p >= 32;
          images.writeByte((bright ? 170 : 60) + random.nextInt(40) - 20);
        }
      }
    }
  }

  private static DataOutputStream gzip(Path file) throws IOException {
    OutputStream out = new GZIPOutputStream(Files.newOutputStream(file));
    return new DataOutputStream(out);
  }

  private record Run(int exit, String err) {}

  private static Run run(String... args) {
    CommandLine cli = TrainerCli.commandLine();
    StringWriter err = new StringWriter();
    cli.setErr(new PrintWriter(err));
    int exit = cli.execute(args);
    return new Run(exit, err.toString());
  }

  private static final String[] TINY = {"--data", "", "--validation", "40", "--width", "0.25", "--epochs", "2",
      "--batch-size", "16", "--lr", "0.005"};

  private static String[] with(String command, String... rest) {
    String[] tiny = TINY.clone();
    tiny[1] = data.toString();
    String[] args = new String[1 + tiny.length + rest.length];
    args[0] = command;
    System.arraycopy(tiny, 0, args, 1, tiny.length);
    System.arraycopy(rest, 0, args, 1 + tiny.length, rest.length);
    return args;
  }

  @Test
  void trainPruneCalibrateEvaluate() throws IOException {
    Path full = work.resolve("full");
    Path pruned = work.resolve("pruned");
    assertEquals(0, run(with("train", "--scheme", "MIX", "--out", full.toString(), "--zip")).exit());
    assertEquals(List.of(1, 2, 3, 4), ModelBundle.open(full).manifest().exitStages());
    assertTrue(Files.exists(Path.of(full + ".zip")));

    assertEquals(0, run("prune", "--data", data.toString(), "--model", full.toString(), "--out",
        pruned.toString()).exit());
    List<Integer> kept = ModelBundle.open(pruned).manifest().exitStages();
    assertFalse(kept.isEmpty());

    assertEquals(0, run("calibrate", "--data", data.toString(), "--model", pruned.toString(),
        "--max-accuracy-drop", "1").exit());
    JsonNode manifest = new ObjectMapper().readTree(pruned.resolve("manifest.json").toFile());
    assertEquals(1.0, manifest.at("/metrics/calibration/maxAccuracyDropPoints").asDouble());
    assertTrue(manifest.at("/metrics/calibration/test/accuracy").isNumber());
    assertEquals(40, manifest.at("/metrics/training/validationImages").asInt(), "the split travels with the model");
    JsonNode points = manifest.at("/operatingPoints");
    assertEquals(List.of(0.0, 0.25, 0.5, 1.0, 2.0, 3.0), java.util.stream.StreamSupport.stream(points.spliterator(),
        false).map(p -> p.get("budgetPoints").asDouble()).toList(), "the default ladder");
    assertEquals(points.get(3).get("thresholds"), manifest.at("/policy/thresholds"),
        "the policy in force is the point of --max-accuracy-drop");
    assertTrue(Files.size(pruned.resolveSibling("operating-points.png")) > 1000, "the trade-off plot");

    assertEquals(0, run("evaluate", "--data", data.toString(), "--model", pruned.toString()).exit());
  }

  @Test
  void compareWritesTheReportAndItsPlots() throws IOException {
    Path out = work.resolve("report");
    Path models = work.resolve("models");
    assertEquals(0, run(with("compare", "--schemes", "SINGLE,MIX", "--latency-passes", "2", "--out",
        out.toString(), "--models", models.toString())).exit());
    String md = Files.readString(out.resolve("comparison.md"));
    assertTrue(md.contains("| SINGLE |") && md.contains("| MIX |"), md);
    for (String file : List.of("comparison.json", "accuracy-vs-macs.png", "exit-accuracy.png", "exit-shares.png",
        "operating-points.png")) {
      assertTrue(Files.size(out.resolve(file)) > 1000, file);
    }
    assertTrue(Files.exists(models.resolve("mix/bundle/manifest.json")));

    Files.delete(out.resolve("comparison.md"));
    assertEquals(0, run("compare", "--report-only", "--schemes", "SINGLE,MIX", "--out", out.toString(),
        "--models", models.toString()).exit());
    assertEquals(md, Files.readString(out.resolve("comparison.md")), "the report rebuilds from saved results");
  }

  @Test
  void benchRunsBothLoops() {
    assertEquals(0, run("bench", "--image", "1x8x8", "--classes", "2", "--width", "0.25", "--batch-size", "8",
        "--batches", "2", "--rounds", "1").exit());
  }

  @Test
  void userMistakesGetOneLineAndAnExitCode() {
    Run unknownBackbone = run(with("train", "--backbone", "alexnet", "--out", work.resolve("x").toString()));
    assertEquals(2, unknownBackbone.exit());
    assertEquals("error: unknown --backbone 'alexnet'; known: vgg-mini, resnet-mini, vgg16, resnet50, "
        + "mobilenetv3-small", unknownBackbone.err().strip());

    Run noData = run("train", "--data", work.resolve("nowhere").toString(), "--out", work.resolve("x").toString());
    assertEquals(2, noData.exit());
    assertEquals("error: no such dataset folder: " + work.resolve("nowhere"), noData.err().strip());

    Run missingOption = run("train");
    assertEquals(2, missingOption.exit());
    assertTrue(missingOption.err().startsWith("Missing required option: '--out=<out>'"), missingOption.err());

    Run noBundle = run("evaluate", "--model", work.resolve("nothing").toString());
    assertEquals(2, noBundle.exit());
    assertEquals("error: no model bundle at " + work.resolve("nothing"), noBundle.err().strip());

    Run badImage = run("bench", "--image", "28x28");
    assertEquals(2, badImage.exit());
    assertEquals("error: --image must look like 1x28x28, got 28x28", badImage.err().strip());
  }
}
