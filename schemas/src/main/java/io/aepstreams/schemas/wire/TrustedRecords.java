package io.aepstreams.schemas.wire;

import org.apache.avro.util.ClassSecurityValidator;

/**
 * Avro 1.12 loads no class by name from a schema unless it is trusted, and by default trusts only a few java.lang
 * types: reading into the generated records would fail with a SecurityException unless every user set
 * {@code -Dorg.apache.avro.SERIALIZABLE_PACKAGES}. The serdes call {@link #install()} instead, which adds this
 * project's record package (and nothing else) to whatever the JVM already trusts. Copying a record
 * ({@code ImageRecord.newBuilder(other)}) loads classes by name too: code that does so before any serde is loaded
 * calls {@link #install()} itself.
 */
public final class TrustedRecords {
  /** The package of the classes generated from schemas/src/main/avro. */
  public static final String PACKAGE = "io.aepstreams.records";

  private static boolean installed;

  private TrustedRecords() {}

  public static synchronized void install() {
    if (installed) {
      return;
    }
    ClassSecurityValidator.ClassSecurityPredicate before = ClassSecurityValidator.getGlobal();
    ClassSecurityValidator.setGlobal(ClassSecurityValidator.composite(before,
        type -> PACKAGE.equals(type.getPackageName())));
    installed = true;
  }
}
