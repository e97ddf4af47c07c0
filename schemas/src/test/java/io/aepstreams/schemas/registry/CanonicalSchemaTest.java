package io.aepstreams.schemas.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aepstreams.records.Classification;
import io.aepstreams.records.ImageRecord;
import io.aepstreams.records.PartialInference;
import java.io.IOException;
import java.io.InputStream;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class CanonicalSchemaTest {

  /** What a client in another language gets: the shipped .avsc files parsed without Java code generation. */
  private static Schema fromAvsc(String name) throws IOException {
    Schema.Parser parser = new Schema.Parser();
    for (String common : new String[] {"ImageEncoding", "TensorDType", "Tensor", "StageTiming", "SourceOffset",
        "OperatingPointRef"}) {
      parse(parser, "/avro/common/" + common + ".avsc");
    }
    return parse(parser, "/avro/" + name + ".avsc");
  }

  private static Schema parse(Schema.Parser parser, String resource) throws IOException {
    try (InputStream in = CanonicalSchemaTest.class.getResourceAsStream(resource)) {
      return parser.parse(in);
    }
  }

  private static Schema generated(String name) {
    return switch (name) {
      case "ImageRecord" -> ImageRecord.getClassSchema();
      case "Classification" -> Classification.getClassSchema();
      case "PartialInference" -> PartialInference.getClassSchema();
      case "ExitControl" -> io.aepstreams.records.ExitControl.getClassSchema();
      default -> throw new IllegalArgumentException(name);
    };
  }

  @ParameterizedTest
  @ValueSource(strings = {"ImageRecord", "Classification", "PartialInference", "ExitControl"})
  void generatedClassRegistersTheSameTextAsTheAvscFile(String name) throws IOException {
    Schema generated = generated(name);
    assertTrue(generated.toString().contains("avro.java.string"), "precondition: codegen adds Java-only props");

    String canonical = CanonicalSchema.text(generated);

    assertFalse(canonical.contains("avro.java.string"), canonical);
    assertEquals(fromAvsc(name).toString(), canonical);
  }

  @ParameterizedTest
  @ValueSource(strings = {"ImageRecord", "Classification", "PartialInference", "ExitControl"})
  void generatedClassAndAvscGetTheSameIdInARegistry(String name) throws IOException {
    String scope = "canonical-" + UUID.randomUUID();
    InMemorySchemaRegistry registry = InMemorySchemaRegistry.scope(scope);
    try {
      assertEquals(registry.register("t-value", fromAvsc(name)), registry.register("t-value", generated(name)));
    } finally {
      InMemorySchemaRegistry.dropScope(scope);
    }
  }

  @Test
  void schemaWithoutJavaPropertiesIsReturnedAsIs() {
    Schema plain = SchemaBuilder.record("P").fields().requiredString("s").endRecord();
    assertSame(plain, CanonicalSchema.of(plain));
  }

  @Test
  void docsAndDefaultsAreKept() {
    String text = CanonicalSchema.text(ImageRecord.getClassSchema());
    assertTrue(text.contains("\"doc\":\"One image to classify"), text);
    assertTrue(text.contains("\"default\":{}"), text);
    assertTrue(text.contains("\"logicalType\":\"timestamp-millis\""), text);
  }
}
