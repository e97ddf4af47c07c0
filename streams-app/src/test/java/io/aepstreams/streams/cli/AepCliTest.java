package io.aepstreams.streams.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aepstreams.records.Classification;
import io.aepstreams.records.ImageRecord;
import io.aepstreams.records.PartialInference;
import io.aepstreams.schemas.registry.CanonicalSchema;
import io.aepstreams.schemas.registry.InMemorySchemaRegistry;
import java.util.List;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

class AepCliTest {
  private static CliRun run(String... args) {
    return CliRun.of(AepCli.commandLine(), args);
  }

  /** A producer in another language gets a schema it can parse on its own: every named type defined inline. */
  @Test
  void schemaPrintsASelfContainedSchemaAndRegistersIt() {
    for (Schema schema : List.of(ImageRecord.getClassSchema(), Classification.getClassSchema(),
        PartialInference.getClassSchema())) {
      CliRun printed = run("schema", schema.getName());
      assertEquals(0, printed.exit(), printed.err());
      Schema parsed = new Schema.Parser().parse(printed.out()); // a fresh parser knows no other type
      assertEquals(CanonicalSchema.of(schema), parsed);
    }
    String scope = "cli-schema-" + System.nanoTime();
    CliRun registered = run("schema", "ImageRecord", "--schema-registry-url", "mock://" + scope);
    int id = InMemorySchemaRegistry.scope(scope).idOf("aep.images-value", ImageRecord.getClassSchema()).orElseThrow();
    assertEquals("registered io.aepstreams.records.ImageRecord under subject aep.images-value: id " + id,
        registered.out().strip());
    InMemorySchemaRegistry.dropScope(scope);

    CliRun unknown = run("schema", "Image");
    assertEquals(2, unknown.exit());
    assertEquals("error: no record named Image; choose ImageRecord, Classification, PartialInference or ExitControl",
        unknown.err().strip());
  }

  @Test
  void topicsMistakesGetOneLine() {
    CliRun noBootstrap = run("topics", "check", "--model", "m");
    assertEquals(2, noBootstrap.exit());
    assertTrue(noBootstrap.err().startsWith("error: bootstrap.servers is not set"), noBootstrap.err());
    CliRun badPartitions = run("topics", "create", "--partitions", "0", "--set", "bootstrap.servers=b:1", "--set",
        "schema.registry.url=mock://cli", "--model", "m");
    assertEquals("error: --partitions and --replication-factor must be at least 1", badPartitions.err().strip());
  }

  @Test
  void mistakesGetOneLineAndExitCodeTwo() {
    CliRun noBootstrap = run("run", "--model", "m");
    assertEquals(2, noBootstrap.exit());
    assertTrue(noBootstrap.err().startsWith("error: bootstrap.servers is not set"), noBootstrap.err());
    assertEquals(1, noBootstrap.err().strip().lines().count());

    CliRun missingFile = run("run", "--config", "/no/such.properties");
    assertEquals("error: no such config file: /no/such.properties", missingFile.err().strip());

    CliRun badStages = run("run", "--model", "m", "--stages", "x", "--set", "bootstrap.servers=b:1", "--set",
        "schema.registry.url=mock://cli");
    assertEquals("error: stage range must look like 1 or 2-4, got 'x'", badStages.err().strip());

    CliRun noModel = run("run", "--model", "/no/model", "--set", "bootstrap.servers=b:1", "--set",
        "schema.registry.url=mock://cli");
    assertEquals("error: no model bundle at /no/model", noModel.err().strip());

    CliRun badFlag = run("produce", "--rate", "fast");
    assertEquals(2, badFlag.exit());
    assertTrue(badFlag.err().startsWith("Invalid value for option '--rate'"), badFlag.err());

    CliRun badData = run("produce", "--bootstrap-servers", "b:1", "--schema-registry-url", "mock://x", "--data",
        "/no/data");
    assertEquals("error: no such dataset folder: /no/data", badData.err().strip());
  }
}
