package io.aepstreams.schemas.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aepstreams.records.ImageRecord;
import java.util.Map;
import java.util.OptionalInt;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class InMemorySchemaRegistryTest {
  private final String a = "scope-a-" + UUID.randomUUID();
  private final String b = "scope-b-" + UUID.randomUUID();

  private static final Schema V1 = SchemaBuilder.record("Point").fields().requiredInt("x").endRecord();
  private static final Schema V2 = SchemaBuilder.record("Point").fields()
      .requiredInt("x").name("y").type().intType().intDefault(0).endRecord();
  private static final Schema BREAKING = SchemaBuilder.record("Point").fields().requiredInt("y").endRecord();

  @AfterEach
  void drop() {
    InMemorySchemaRegistry.dropScope(a);
    InMemorySchemaRegistry.dropScope(b);
  }

  @Test
  void sameUrlGivesTheSameRegistryAcrossClients() {
    SchemaRegistryClient first = SchemaRegistries.connect(Map.of(SchemaRegistryConfig.URL, "mock://" + a));
    SchemaRegistryClient second = SchemaRegistries.connect(Map.of(SchemaRegistryConfig.URL, " mock://" + a + " "));
    assertSame(first, second);
    int id = first.register("points-value", V1);
    assertEquals(V1, second.schemaById(id));
  }

  @Test
  void scopesAreIsolated() {
    InMemorySchemaRegistry scopeA = InMemorySchemaRegistry.scope(a);
    InMemorySchemaRegistry scopeB = InMemorySchemaRegistry.scope(b);
    scopeA.register("filler-value", ImageRecord.getClassSchema());
    int idInA = scopeA.register("points-value", V1);

    assertEquals(2, idInA);
    assertThrows(SchemaNotFoundException.class, () -> scopeB.latest("points-value"));
    assertThrows(SchemaNotFoundException.class, () -> scopeB.schemaById(idInA));
    assertEquals(OptionalInt.empty(), scopeB.idOf("points-value", V1));
    assertEquals(1, scopeB.register("points-value", BREAKING), "B has its own ids and its own compatibility history");
  }

  @Test
  void droppedScopeStartsEmpty() {
    InMemorySchemaRegistry.scope(a).register("points-value", V1);
    InMemorySchemaRegistry.dropScope(a);
    assertThrows(SchemaNotFoundException.class, () -> InMemorySchemaRegistry.scope(a).latest("points-value"));
  }

  @Test
  void registeringIsIdempotentAndVersionsCount() {
    InMemorySchemaRegistry registry = InMemorySchemaRegistry.scope(a);
    int first = registry.register("points-value", V1);
    assertEquals(first, registry.register("points-value", V1));
    assertEquals(1, registry.latest("points-value").version());

    int second = registry.register("points-value", V2);
    RegisteredSchema latest = registry.latest("points-value");
    assertEquals(2, latest.version());
    assertEquals(second, latest.id());
    assertEquals(V2, latest.schema());
    assertEquals(OptionalInt.of(first), registry.idOf("points-value", V1));
  }

  @Test
  void sameSchemaUnderAnotherSubjectKeepsItsId() {
    InMemorySchemaRegistry registry = InMemorySchemaRegistry.scope(a);
    assertEquals(registry.register("one-value", V1), registry.register("two-value", V1));
  }

  @Test
  void backwardIncompatibleVersionIsRefusedWithTheReason() {
    InMemorySchemaRegistry registry = InMemorySchemaRegistry.scope(a);
    registry.register("points-value", V1);
    assertFalse(registry.isCompatible("points-value", BREAKING));
    assertTrue(registry.isCompatible("points-value", V2));
    assertTrue(registry.isCompatible("unknown-value", BREAKING));

    IncompatibleSchemaException e = assertThrows(IncompatibleSchemaException.class,
        () -> registry.register("points-value", BREAKING));
    assertTrue(e.getMessage().contains("READER_FIELD_MISSING_DEFAULT_VALUE"), e.getMessage());
    assertEquals(1, registry.latest("points-value").version());
  }

  @Test
  void mockUrlNeedsAScope() {
    assertThrows(org.apache.kafka.common.config.ConfigException.class,
        () -> SchemaRegistries.connect(Map.of(SchemaRegistryConfig.URL, "mock://")));
  }
}
