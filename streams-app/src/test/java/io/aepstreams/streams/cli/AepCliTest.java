package io.aepstreams.streams.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aepstreams.records.Classification;
import io.aepstreams.records.ImageRecord;
import io.aepstreams.records.PartialInference;
import io.aepstreams.schemas.registry.CanonicalSchema;
import io.aepstreams.schemas.registry.InMemorySchemaRegistry;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class AepCliTest {
  private record Run(int exit, String err, String out) {}

  private static Run run(String... args) {
    CommandLine cli = AepCli.commandLine();
    StringWriter err = new StringWriter();
    StringWriter out = new StringWriter();
    cli.setErr(new PrintWriter(err));
    cli.setOut(new PrintWriter(out));
    return new Run(cli.execute(args), err.toString(), out.toString());
  }

  /** A producer in another language gets a schema it can parse on its own: every named type defined inline. */
  @Test
  void schemaPrintsASelfContainedSchemaAndRegistersIt() {
    for (Schema schema : List.of(ImageRecord.getClassSchema(), Classification.getClassSchema(),
        PartialInference.getClassSchema())) {
      Run printed = run("schema", schema.getName());
      assertEquals(0, printed.exit(), printed.err());
      Schema parsed = new Schema.Parser().parse(printed.out()); // a fresh parser knows no other type
      assertEquals(CanonicalSchema.of(schema), parsed);
    }
    String scope = "cli-schema-" + System.nanoTime();
    Run registered = run("schema", "ImageRecord", "--schema-registry-url", "mock://" + scope);
    int id = InMemorySchemaRegistry.scope(scope).idOf("aep.images-value", ImageRecord.getClassSchema()).orElseThrow();
    assertEquals("registered io.aepstreams.records.ImageRecord under subject aep.images-value: id " + id,
        registered.out().strip());
    InMemorySchemaRegistry.dropScope(scope);

    Run unknown = run("schema", "Image");
    assertEquals(2, unknown.exit());
    assertEquals("error: no record named Image; choose ImageRecord, Classification or PartialInference",
        unknown.err().strip());
  }

  @Test
  void benchMistakesGetOneLine() {
    Run zero = run("bench", "--batch-sizes", "1,0");
    assertEquals(2, zero.exit());
    assertEquals("error: --batch-sizes must be positive numbers, like 1,8,32,64", zero.err().strip());
    Run notNumber = run("bench", "--batch-sizes", "big");
    assertEquals(2, notNumber.exit());
    assertTrue(notNumber.err().startsWith("Invalid value for option '--batch-sizes'"), notNumber.err());
  }

  @Test
  void topicsMistakesGetOneLine() {
    Run noBootstrap = run("topics", "check", "--model", "m");
    assertEquals(2, noBootstrap.exit());
    assertTrue(noBootstrap.err().startsWith("error: bootstrap.servers is not set"), noBootstrap.err());
    Run badPartitions = run("topics", "create", "--partitions", "0", "--set", "bootstrap.servers=b:1", "--set",
        "schema.registry.url=mock://cli", "--model", "m");
    assertEquals("error: --partitions and --replication-factor must be at least 1", badPartitions.err().strip());
  }

  @Test
  void mistakesGetOneLineAndExitCodeTwo() {
    Run noBootstrap = run("run", "--model", "m");
    assertEquals(2, noBootstrap.exit());
    assertTrue(noBootstrap.err().startsWith("error: bootstrap.servers is not set"), noBootstrap.err());
    assertEquals(1, noBootstrap.err().strip().lines().count());

    Run missingFile = run("run", "--config", "/no/such.properties");
    assertEquals("error: no such config file: /no/such.properties", missingFile.err().strip());

    Run badStages = run("run", "--model", "m", "--stages", "x", "--set", "bootstrap.servers=b:1", "--set",
        "schema.registry.url=mock://cli");
    assertEquals("error: stage range must look like 1 or 2-4, got 'x'", badStages.err().strip());

    Run noModel = run("run", "--model", "/no/model", "--set", "bootstrap.servers=b:1", "--set",
        "schema.registry.url=mock://cli");
    assertEquals("error: no model bundle at /no/model", noModel.err().strip());

    Run badFlag = run("demo", "--limit", "many");
    assertEquals(2, badFlag.exit());
    assertTrue(badFlag.err().startsWith("Invalid value for option '--limit'"), badFlag.err());

    Run badData = run("produce", "--bootstrap-servers", "b:1", "--schema-registry-url", "mock://x", "--data",
        "/no/data");
    assertEquals("error: no such dataset folder: /no/data", badData.err().strip());
  }
}
