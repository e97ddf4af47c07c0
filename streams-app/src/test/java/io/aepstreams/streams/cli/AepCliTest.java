package io.aepstreams.streams.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class AepCliTest {
  private record Run(int exit, String err) {}

  private static Run run(String... args) {
    CommandLine cli = AepCli.commandLine();
    StringWriter err = new StringWriter();
    cli.setErr(new PrintWriter(err));
    return new Run(cli.execute(args), err.toString());
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
