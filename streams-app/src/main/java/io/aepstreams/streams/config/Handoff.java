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
   * took 5% (MobileNetV3's int8) to 74% (VGG-16's float32) off the hand-offs measured, for at most 0.2 ms a record.
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
