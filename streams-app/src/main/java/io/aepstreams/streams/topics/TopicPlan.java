package io.aepstreams.streams.topics;

import io.aepstreams.model.bundle.Manifest;
import io.aepstreams.streams.config.AppConfig;
import io.aepstreams.streams.config.Handoff;
import io.aepstreams.streams.handoff.HandoffEncoding;
import io.aepstreams.streams.config.StageRange;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Which topics the pipeline needs, and how large a record each must take, from the configuration and the model:
 * the images, the results, the dead-letter queue, and one hand-off topic per split point of the model, sized for the
 * hand-off encoding and compressed as the configuration says.
 */
public final class TopicPlan {
  /** Room for a record's key, headers and Avro fields beside its payload. */
  static final long RECORD_OVERHEAD = 64 * 1024;

  private TopicPlan() {}

  /** Every topic a deployment of this model may use, whichever way its stages are split. */
  public static List<TopicNeed> all(AppConfig config, Manifest manifest) {
    int stages = manifest.stages().size();
    List<TopicNeed> needs = new ArrayList<>();
    needs.add(images(config));
    needs.add(classifications(config));
    for (int stage = 2; stage <= stages; stage++) {
      needs.add(handoff(config, manifest, stage));
    }
    needs.add(deadLetters(config, needs));
    needs.add(control(config));
    return needs;
  }

  /** The topics one instance serving {@code range} reads and writes. */
  public static List<TopicNeed> forInstance(AppConfig config, Manifest manifest, StageRange range) {
    List<TopicNeed> needs = new ArrayList<>();
    needs.add(input(config, manifest, range.first()));
    needs.add(classifications(config));
    if (range.last() < manifest.stages().size()) {
      needs.add(handoff(config, manifest, range.last() + 1));
    }
    needs.add(deadLetters(config, all(config, manifest)));
    needs.add(control(config));
    return needs;
  }

  /**
   * The largest hand-off record into {@code stage}: the tensor the stage before it outputs, in the encoding the
   * writer is set to ({@link HandoffEncoding#maxTensorBytes}), plus the rest.
   */
  public static long handoffBytes(Manifest manifest, int stage, HandoffEncoding encoding) {
    return encoding.maxTensorBytes(manifest.stage(stage).inputShape()) + RECORD_OVERHEAD;
  }

  /**
   * The changelog of the store that keeps the images waiting for {@code stage}, the first of the instance: they
   * are stored as they came, so it takes what the instance's input topic takes (the largest image for stage 1).
   *
   * @param changelog the changelog's name (Kafka Streams names it from the application id and the store)
   */
  public static TopicNeed waitingImages(AppConfig config, Manifest manifest, int stage, String changelog) {
    TopicNeed input = input(config, manifest, stage);
    return new TopicNeed(changelog, "images waiting for stage " + stage + ", as " + input.carries(),
        input.maxMessageBytes());
  }

  /** What the instance whose first stage is {@code stage} reads. */
  private static TopicNeed input(AppConfig config, Manifest manifest, int stage) {
    return stage == 1 ? images(config) : handoff(config, manifest, stage);
  }

  private static TopicNeed images(AppConfig config) {
    return new TopicNeed(config.topics().images(), "images (ImageRecord)",
        config.limits().maxPayloadBytes() + RECORD_OVERHEAD);
  }

  private static TopicNeed classifications(AppConfig config) {
    return new TopicNeed(config.topics().classifications(), "results (Classification)", RECORD_OVERHEAD);
  }

  private static TopicNeed handoff(AppConfig config, Manifest manifest, int stage) {
    Handoff handoff = config.handoff();
    return new TopicNeed(config.topics().stage(stage), "hand-offs into stage " + stage + " (PartialInference, "
        + handoff.encoding().setting() + ")", handoffBytes(manifest, stage, handoff.encoding()),
        handoff.compresses() ? Optional.of(handoff.compression()) : Optional.empty());
  }

  /** The operating point in force per model version: compacted, one partition, read whole by every instance. */
  private static TopicNeed control(AppConfig config) {
    return TopicNeed.compactedSingle(config.topics().control(), "the operating point in force per model version "
        + "(ExitControl, compacted)", RECORD_OVERHEAD);
  }

  /** The dead-letter queue keeps the failed record as it came, so it takes the largest of the others. */
  private static TopicNeed deadLetters(AppConfig config, List<TopicNeed> others) {
    long largest = others.stream().mapToLong(TopicNeed::maxMessageBytes).max().orElse(RECORD_OVERHEAD);
    return new TopicNeed(config.topics().dlq(), "dead letters (the failed record, with its reason)", largest);
  }
}
