package io.aepstreams.streams.cli;

import io.aepstreams.schemas.registry.CanonicalSchema;
import io.aepstreams.schemas.registry.SchemaRegistries;
import io.aepstreams.schemas.registry.SchemaRegistryClient;
import io.aepstreams.schemas.wire.WireFormat;
import io.aepstreams.streams.config.Topics;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.avro.Schema;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "schema", mixinStandardHelpOptions = true,
    description = {"Prints a record's Avro schema, self-contained (every named type it uses defined inline), for "
        + "producers and consumers in any language; with --schema-registry-url, registers it under "
        + "<topic>-value and prints the id."})
final class SchemaCommand implements Callable<Integer> {
  private enum Record {
    ImageRecord(io.aepstreams.records.ImageRecord.getClassSchema(), Topics.DEFAULT.images()),
    Classification(io.aepstreams.records.Classification.getClassSchema(), Topics.DEFAULT.classifications()),
    PartialInference(io.aepstreams.records.PartialInference.getClassSchema(), Topics.DEFAULT.stage(2)),
    ExitControl(io.aepstreams.records.ExitControl.getClassSchema(), Topics.DEFAULT.control());

    final Schema schema;
    final String topic;

    Record(Schema schema, String topic) {
      this.schema = schema;
      this.topic = topic;
    }
  }

  @Spec
  CommandSpec spec;

  @Parameters(index = "0", description = "ImageRecord, Classification, PartialInference or ExitControl.")
  String record;

  @Option(names = "--schema-registry-url", description = "Register the schema in this registry.")
  String registry;

  @Option(names = "--topic", description = "Topic whose subject (<topic>-value) to register under (default: the "
      + "record's default topic).")
  String topic;

  @Option(names = "--set", description = "key=value for the registry client (basic.auth.*, ssl), repeatable.")
  Map<String, String> set = new LinkedHashMap<>();

  @Override
  public Integer call() {
    Record chosen;
    try {
      chosen = Record.valueOf(record);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("no record named " + record
          + "; choose ImageRecord, Classification, PartialInference or ExitControl");
    }
    // The form registered on the wire: Java-only properties stripped; named types inline at first use.
    Schema schema = CanonicalSchema.of(chosen.schema);
    if (registry == null) {
      spec.commandLine().getOut().println(schema.toString(true));
      return 0;
    }
    Map<String, Object> settings = new HashMap<>(set);
    settings.put("schema.registry.url", registry);
    SchemaRegistryClient client = SchemaRegistries.connect(settings);
    String subject = WireFormat.subject(topic == null ? chosen.topic : topic, false);
    int id = client.register(subject, schema);
    spec.commandLine().getOut().printf(Locale.ROOT, "registered %s under subject %s: id %d%n", schema.getFullName(), subject, id);
    return 0;
  }
}
