package io.aepstreams.streams.config;

/** Checked before any decoding, so a hostile or broken record cannot exhaust memory. */
public record DecodeLimits(int maxPayloadBytes, long maxPixels) {
  public static final DecodeLimits DEFAULT = new DecodeLimits(4 * 1024 * 1024, 16L * 1024 * 1024);
}
