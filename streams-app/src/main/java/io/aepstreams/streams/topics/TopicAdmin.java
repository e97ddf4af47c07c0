package io.aepstreams.streams.topics;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import io.aepstreams.streams.config.AppConfig;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Checks and creates the pipeline's topics on a cluster. Every topic gets one partition count (the images topic's,
 * where it exists: keys stay as produced, so each stage sees an image's key in the same partition), a
 * {@code max.message.bytes} that fits its largest record, and the plan's {@code compression.type} where it names one
 * (a topic that exists keeps its own: compression is a cost, not a fault).
 */
public final class TopicAdmin implements AutoCloseable {
  /** How long a cluster may take to answer before the check gives up with a one-line error. */
  public static final Duration TIMEOUT = Duration.ofSeconds(15);

  /** What the cluster has of one needed topic: absent, or its partition count and {@code max.message.bytes}. */
  public record TopicState(TopicNeed need, Optional<Integer> partitions, long maxMessageBytes) {
    public boolean exists() {
      return partitions.isPresent();
    }
  }

  /** A needed topic that is missing or mis-sized, in words; {@code partitionCount}: its count differs. */
  public record Problem(String topic, String description, boolean partitionCount) {
    Problem(String topic, String description) {
      this(topic, description, false);
    }

    @Override
    public String toString() {
      return "topic " + topic + " " + description;
    }
  }

  private final Admin admin;
  private final String bootstrap;

  private TopicAdmin(Admin admin, String bootstrap) {
    this.admin = admin;
    this.bootstrap = bootstrap;
  }

  /** An admin client with the pipeline's own Kafka settings (bootstrap servers, security), which fail fast. */
  public static TopicAdmin connect(Map<String, Object> kafkaSettings) {
    Map<String, Object> settings = AppConfig.forClient(kafkaSettings, AdminClientConfig.configNames());
    settings.putIfAbsent(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
    settings.putIfAbsent(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
    // A one-shot check: a few tries at an unreachable broker say as much as one a second, with less noise.
    settings.putIfAbsent(AdminClientConfig.RECONNECT_BACKOFF_MS_CONFIG, 2_000);
    settings.putIfAbsent(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 5_000);
    return new TopicAdmin(Admin.create(settings), String.valueOf(settings.get(
        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG)));
  }

  /** The cluster's state of every needed topic, in the plan's order. */
  public List<TopicState> describe(List<TopicNeed> needs) {
    List<String> names = needs.stream().map(TopicNeed::name).toList();
    Map<String, KafkaFuture<TopicDescription>> described = admin.describeTopics(names).topicNameValues();
    Map<String, Integer> partitions = new HashMap<>();
    for (String name : names) {
      try {
        partitions.put(name, await(described.get(name)).partitions().size());
      } catch (UnknownTopicOrPartitionException missing) {
        // absent: reported by the caller
      }
    }
    Map<String, Long> maxBytes = new HashMap<>();
    if (!partitions.isEmpty()) {
      List<ConfigResource> resources = partitions.keySet().stream()
          .map(name -> new ConfigResource(ConfigResource.Type.TOPIC, name)).toList();
      admin.describeConfigs(resources).values().forEach((resource, future) -> {
        try {
          ConfigEntry entry = await(future).get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
          maxBytes.put(resource.name(), entry == null ? TopicNeed.KAFKA_DEFAULT_MAX_MESSAGE_BYTES
              : Long.parseLong(entry.value()));
        } catch (UnknownTopicOrPartitionException gone) {
          partitions.remove(resource.name()); // deleted, or not yet known to this broker: missing
        }
      });
    }
    List<TopicState> states = new ArrayList<>();
    for (TopicNeed need : needs) {
      states.add(new TopicState(need, Optional.ofNullable(partitions.get(need.name())),
          maxBytes.getOrDefault(need.name(), 0L)));
    }
    return states;
  }

  /** What is missing or mis-sized; empty when every needed topic is ready. */
  public static List<Problem> problems(List<TopicState> states) {
    List<Problem> problems = new ArrayList<>();
    Optional<TopicState> reference = referenceForPartitions(states);
    for (TopicState state : states) {
      TopicNeed need = state.need();
      if (!state.exists()) {
        problems.add(new Problem(need.name(), "is missing; it carries " + need.carries()));
        continue;
      }
      if (need.partitions().isPresent() && !state.partitions().equals(need.partitions())) {
        problems.add(new Problem(need.name(), "has " + state.partitions().get() + " partitions; it needs "
            + need.partitions().get(), true));
      }
      if (need.sharesPartitions() && reference.isPresent()
          && !state.partitions().equals(reference.get().partitions())) {
        problems.add(new Problem(need.name(), "has " + state.partitions().get() + " partitions, "
            + reference.get().need().name() + " has " + reference.get().partitions().get()
            + " (every pipeline topic needs the same count)", true));
      }
      if (state.maxMessageBytes() < need.maxMessageBytes()) {
        problems.add(new Problem(need.name(), "takes records up to " + state.maxMessageBytes() + " bytes "
            + "(max.message.bytes) but must take " + need.maxMessageBytes()));
      }
    }
    return problems;
  }

  /** The partition count the plan's topics share: the first existing topic's (the images topic comes first). */
  public static Optional<Integer> sharedPartitions(List<TopicState> states) {
    return referenceForPartitions(states).flatMap(TopicState::partitions);
  }

  private static Optional<TopicState> referenceForPartitions(List<TopicState> states) {
    return states.stream().filter(s -> s.exists() && s.need().sharesPartitions()).findFirst();
  }

  /**
   * Creates the missing topics with {@code partitions} partitions and raises {@code max.message.bytes} where it is
   * too small. Partition counts that differ cannot be fixed without moving keys, so they stay problems.
   * Returns the problems left.
   */
  public List<Problem> create(List<TopicNeed> needs, int partitions, Optional<Short> replicationFactor) {
    List<TopicState> before = describe(needs);
    Map<String, NewTopic> toCreate = new LinkedHashMap<>();
    Map<ConfigResource, Collection<AlterConfigOp>> toRaise = new HashMap<>();
    for (TopicState state : before) {
      TopicNeed need = state.need();
      Map<String, String> configs = new HashMap<>();
      if (need.maxMessageBytes() > TopicNeed.KAFKA_DEFAULT_MAX_MESSAGE_BYTES) {
        configs.put(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, String.valueOf(need.maxMessageBytes()));
      }
      need.compression().ifPresent(codec -> configs.put(TopicConfig.COMPRESSION_TYPE_CONFIG, codec));
      if (need.compacted()) {
        configs.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
      }
      if (!state.exists()) {
        toCreate.put(need.name(), new NewTopic(need.name(), Optional.of(need.partitions().orElse(partitions)),
            replicationFactor)
            .configs(configs));
      } else if (state.maxMessageBytes() < need.maxMessageBytes()) {
        toRaise.put(new ConfigResource(ConfigResource.Type.TOPIC, need.name()), List.of(new AlterConfigOp(
            new ConfigEntry(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, String.valueOf(need.maxMessageBytes())),
            AlterConfigOp.OpType.SET)));
      }
    }
    if (!toCreate.isEmpty()) {
      admin.createTopics(toCreate.values()).values().forEach((name, future) -> {
        try {
          await(future);
        } catch (TopicExistsException raced) {
          // another instance created it meanwhile: checked again below
        }
      });
      awaitLeaders(toCreate.keySet());
    }
    if (!toRaise.isEmpty()) {
      await(admin.incrementalAlterConfigs(toRaise).all());
    }
    return settled(needs);
  }

  /**
   * Waits until every partition of {@code topics} answers on its leader. The controller names a leader a moment
   * before that broker has taken the partition up; an idempotent producer writing in between saw
   * NOT_LEADER_OR_FOLLOWER, then OUT_OF_ORDER_SEQUENCE_NUMBER, and expired its records two minutes later (measured
   * on the in-JVM broker: 3,268 of 10,000 images lost). A ListOffsets answer needs the same leadership as a write.
   */
  private void awaitLeaders(Collection<String> topics) {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (true) {
      try {
        Map<TopicPartition, OffsetSpec> partitions = new HashMap<>();
        for (TopicDescription topic : admin.describeTopics(topics).allTopicNames()
            .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).values()) {
          topic.partitions().forEach(p -> partitions.put(new TopicPartition(topic.name(), p.partition()),
              OffsetSpec.latest()));
        }
        admin.listOffsets(partitions).all().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        return;
      } catch (ExecutionException | TimeoutException e) {
        if (System.nanoTime() > deadline) {
          return; // settled() reports what is still wrong
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /**
   * The problems once the cluster shows what was just created or changed. A broker learns of new topics and
   * configs from the controller a moment after the call returns, so an immediate look may still see the old state;
   * only partition counts, which creation never changes, are expected to stay.
   */
  private List<Problem> settled(List<TopicNeed> needs) {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    List<Problem> problems = problems(describe(needs));
    while (problems.stream().anyMatch(problem -> !problem.partitionCount()) && System.nanoTime() < deadline) {
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      problems = problems(describe(needs));
    }
    return problems;
  }

  private <T> T await(KafkaFuture<T> future) {
    try {
      return future.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException runtime
          && (runtime instanceof UnknownTopicOrPartitionException || runtime instanceof TopicExistsException)) {
        throw runtime;
      }
      throw new IllegalStateException("Kafka at " + bootstrap + " refused: " + e.getCause().getMessage(), e);
    } catch (TimeoutException e) {
      throw new IllegalStateException("Kafka at " + bootstrap + " did not answer within " + TIMEOUT.toSeconds()
          + " s (check bootstrap.servers and the security settings)");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while asking Kafka at " + bootstrap);
    }
  }

  @Override
  public void close() {
    admin.close(Duration.ofSeconds(5));
  }
}
