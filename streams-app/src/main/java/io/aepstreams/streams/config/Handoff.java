package io.aepstreams.streams.config;

import io.aepstreams.streams.handoff.HandoffEncoding;
import java.util.List;
import java.util.Locale;

/**
 * How an instance writes the images it hands on: the tensor's encoding, and the Kafka compression of its stage
 * topic and of its producer ({@code none}, {@code lz4}, {@code zstd}, {@code gzip} or {@code snappy}). Readers need
 * neither: the record says its encoding, and Kafka's consumer decompresses whatever the batch says.
 */
public record Handoff(HandoffEncoding encoding, String compression) {
  public static final List<String> COMPRESSIONS = List.of("none", "lz4", "zstd", "gzip", "snappy");
  /**
   * The defaults, chosen from docs/results/handoff-agreement: the encoding from the agreement table, and zstd, which
   * took a quarter or more off every backbone's hand-offs for a fraction of a millisecond per record.
   */
  public static final Handoff DEFAULT = new Handoff(HandoffEncoding.DEFAULT, "zstd");

  public Handoff {
    compression = compression.strip().toLowerCase(Locale.ROOT);
    if (!COMPRESSIONS.contains(compression)) {
      throw new IllegalArgumentException(AppConfig.HANDOFF_COMPRESSION + " must be one of " + String.join(", ",
          COMPRESSIONS) + ", got '" + compression + "'");
    }
  }

  /** Whether the stage topic and the producer compress. */
  public boolean compresses() {
    return !compression.equals("none");
  }
}
