package io.aepstreams.streams.topics;

import io.aepstreams.model.bundle.Manifest;
import io.aepstreams.streams.config.AppConfig;
import io.aepstreams.streams.config.StageRange;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The start-up check of an instance: its topics exist, share one partition count and take its largest records.
 * Without it Kafka Streams waits forever on a missing topic, logging once a second and saying nothing useful.
 */
public final class InstanceTopics {
  private static final Logger LOG = LoggerFactory.getLogger(InstanceTopics.class);
  static final String FIX = "create them with: ./aep topics create (with this instance's --config/--set and "
      + "--partitions N), or set " + AppConfig.TOPICS_CREATE + "=true";

  private InstanceTopics() {}

  /**
   * Returns when the topics are ready (created first if the configuration asks), with the partition count they
   * share; throws otherwise.
   */
  public static int ensure(AppConfig config, Manifest manifest, StageRange range) {
    List<TopicNeed> needs = TopicPlan.forInstance(config, manifest, range);
    try (TopicAdmin admin = TopicAdmin.connect(config.kafka())) {
      List<TopicAdmin.TopicState> states = admin.describe(needs);
      List<TopicAdmin.Problem> problems = TopicAdmin.problems(states);
      if (problems.isEmpty()) {
        return TopicAdmin.sharedPartitions(states).orElseThrow();
      }
      if (!config.topicSetup().create()) {
        throw new TopicsNotReadyException(problems, FIX);
      }
      Optional<Integer> partitions = TopicAdmin.sharedPartitions(states).or(() -> config.topicSetup().partitions());
      if (partitions.isEmpty()) {
        throw new TopicsNotReadyException(problems, "set " + AppConfig.TOPICS_PARTITIONS
            + " to the partition count the new topics should have");
      }
      LOG.info("creating or resizing topics: {}", problems);
      List<TopicAdmin.Problem> left = admin.create(needs, partitions.get(), Optional.empty());
      if (!left.isEmpty()) {
        throw new TopicsNotReadyException(left, "fix it by hand: partition counts cannot change safely");
      }
      return partitions.get();
    }
  }
}
