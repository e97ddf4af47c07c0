package io.aepstreams.streams.redeploy;

import io.aepstreams.streams.config.AppConfig;
import io.aepstreams.streams.config.StageRange;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * The start-up check that keeps a change of split from answering every retained image again: an instance whose
 * consumer group has never committed on its input topic does not start while another range of the same deployment
 * prefix, starting at the same stage, has (a split changed without {@code ./aep offsets copy}). It would start
 * from the beginning of the topic, since each stage range is a group of its own.
 */
public final class NewGroupCheck {
  private NewGroupCheck() {}

  /** Returns when {@code range} may start; throws, saying what to run, when it would repeat another group's work. */
  public static void check(AppConfig config, StageRange range) {
    String group = config.applicationId(range);
    String topic = range.first() == 1 ? config.topics().images() : config.topics().stage(range.first());
    try (Admin admin = Admin.create(AppConfig.forClient(config.kafka(), AdminClientConfig.configNames()))) {
      if (readsFrom(admin, group, topic)) {
        return;
      }
      String prefix = config.applicationIdPrefix() + "-stages-" + range.first() + "-";
      List<String> others = new ArrayList<>();
      for (GroupListing listing : admin.listGroups().all().get()) {
        String other = listing.groupId();
        if (!other.equals(group) && other.startsWith(prefix) && readsFrom(admin, other, topic)) {
          others.add(other);
        }
      }
      if (!others.isEmpty()) {
        throw new IllegalStateException("stages " + range + " would start a new consumer group (" + group + ") at "
            + "the beginning of " + topic + ", which " + others + " already read: the split changed. Stop every "
            + "instance and run ./aep offsets copy --from <old ranges> --to <new ranges> first (deploy/README.md, "
            + "\"Changing the split\"); or, if the old group's work is to be done again, delete it");
      }
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot read the consumer groups: " + e.getCause(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reading the consumer groups", e);
    }
  }

  private static boolean readsFrom(Admin admin, String group, String topic)
      throws ExecutionException, InterruptedException {
    Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
        .partitionsToOffsetAndMetadata().get();
    return offsets.entrySet().stream().anyMatch(e -> e.getKey().topic().equals(topic) && e.getValue() != null);
  }
}
