package io.aepstreams.streams.config;

/** The topic names (docs/design.md §4); each can be renamed in the configuration. */
public record Topics(String images, String classifications, String stagePrefix, String dlq, String control) {
  public static final Topics DEFAULT = new Topics("aep.images", "aep.classifications", "aep.stage-", "aep.dlq",
      "aep.control");

  /** The topic that carries images to stage {@code stage} when it runs on another instance. */
  public String stage(int stage) {
    return stagePrefix + stage;
  }
}
