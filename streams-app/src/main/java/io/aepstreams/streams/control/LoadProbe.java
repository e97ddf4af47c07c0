package io.aepstreams.streams.control;

import io.aepstreams.streams.config.AppConfig;
import io.aepstreams.streams.config.StageRange;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Metrics;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListGroupsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;

/**
 * Sees the load of every stage range of the deployment from the cluster: each running range is a consumer group
 * ({@code <prefix>-stages-a-b}) with members; its input lag is the end offsets of its input topic minus the offsets
 * it committed (under exactly-once it commits every 30 ms, so this is fresh), and the rate it drains at is how fast
 * those committed offsets move. The expected wait of the image at the back of the queue is lag / rate, or, for a
 * range that has stopped moving with images waiting, how long it has not moved. Groups without members (an old
 * split's, a stopped one) are left out.
 */
public final class LoadProbe implements AutoCloseable {
  private static final long TIMEOUT_MS = 5_000;
  private final Admin admin;
  private final AppConfig config;
  private final Map<String, Progress> progress = new HashMap<>();
  private final Map<String, Long> lagByRange = new ConcurrentHashMap<>();

  /** What a range had committed (and its input held) when last seen, how fast each moved, since when it has not. */
  private static final class Progress {
    long committed = -1;
    long end = -1;
    long atMs;
    long movedAtMs;
    double rate;
    double arrival;
  }

  public LoadProbe(AppConfig config) {
    Map<String, Object> settings = AppConfig.forClient(config.kafka(), AdminClientConfig.configNames());
    settings.putIfAbsent(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TIMEOUT_MS);
    settings.putIfAbsent(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) TIMEOUT_MS);
    this.admin = Admin.create(settings);
    this.config = config;
  }

  /** The worst expected wait over the running stage ranges now. */
  public Pressure sample(long nowMs) throws InterruptedException {
    Pressure worst = Pressure.NONE;
    try {
      String prefix = config.applicationIdPrefix() + "-stages-";
      for (GroupListing group : get(admin.listGroups(ListGroupsOptions.forConsumerGroups()).all())) {
        GroupState state = group.groupState().orElse(GroupState.UNKNOWN);
        if (!group.groupId().startsWith(prefix) || state == GroupState.EMPTY || state == GroupState.DEAD) {
          continue;
        }
        StageRange range;
        try {
          range = StageRange.parse(group.groupId().substring(prefix.length()));
        } catch (RuntimeException notOurs) {
          continue;
        }
        worst = Pressure.worst(worst, rangePressure(group.groupId(), range, nowMs));
      }
    } catch (ExecutionException | TimeoutException e) {
      // the cluster did not answer: no news is not good news, but a step on no data would be a guess
      return Pressure.NONE;
    }
    return worst;
  }

  private Pressure rangePressure(String groupId, StageRange range, long nowMs)
      throws ExecutionException, TimeoutException, InterruptedException {
    String input = range.first() == 1 ? config.topics().images() : config.topics().stage(range.first());
    Map<TopicPartition, OffsetAndMetadata> committed = get(admin.listConsumerGroupOffsets(groupId)
        .partitionsToOffsetAndMetadata());
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    committed.keySet().stream().filter(tp -> tp.topic().equals(input)).forEach(tp -> latest.put(tp,
        OffsetSpec.latest()));
    if (latest.isEmpty()) {
      return Pressure.NONE;
    }
    long lag = 0;
    long done = 0;
    long written = 0;
    var ends = get(admin.listOffsets(latest).all());
    for (TopicPartition tp : latest.keySet()) {
      long at = committed.get(tp) == null ? 0 : committed.get(tp).offset();
      lag += Math.max(0, ends.get(tp).offset() - at);
      done += at;
      written += ends.get(tp).offset();
    }
    String name = range.toString();
    if (!lagByRange.containsKey(name)) {
      Gauge.builder("aep.controller.input.lag", lagByRange, m -> m.getOrDefault(name, 0L))
          .description("records waiting on each running stage range's input, as the load controller sees them")
          .tag("range", name).strongReference(true).register(Metrics.globalRegistry);
    }
    lagByRange.put(name, lag);
    Progress p = progress.computeIfAbsent(groupId, g -> new Progress());
    if (p.committed >= 0 && nowMs > p.atMs) {
      double rate = (done - p.committed) * 1000.0 / (nowMs - p.atMs);
      p.rate = p.rate == 0 ? rate : 0.5 * p.rate + 0.5 * rate; // smoothed over a few samples
      double arrival = (written - p.end) * 1000.0 / (nowMs - p.atMs);
      p.arrival = p.arrival == 0 ? arrival : 0.5 * p.arrival + 0.5 * arrival;
    }
    p.end = written;
    if (p.committed != done || p.committed < 0) {
      p.movedAtMs = nowMs;
    }
    p.committed = done;
    p.atMs = nowMs;
    // At most one offset per partition is no queue: an idle range's lag under exactly-once is often the commit
    // marker after the last record, which its consumer skips without committing again.
    double waitMs = lag <= latest.size() ? 0 : p.rate > 1 ? lag * 1000.0 / p.rate : nowMs - p.movedAtMs;
    String where = String.format(Locale.ROOT, "stages %s: %,d records waiting, drained at %.0f/s", name, lag, p.rate);
    // The offered load is what arrives on the pipeline's own input, read by the range that starts at stage 1. A
    // range that works (takes images) but gets more than it takes, with a queue, is overloaded; one that takes
    // nothing has stalled, which a cheaper point does not cure.
    boolean overloaded = lag > latest.size() && p.rate > 1 && p.arrival > p.rate * 1.02;
    return new Pressure(waitMs, where, range.first() == 1 ? p.arrival : Double.NaN, overloaded);
  }

  private static <T> T get(org.apache.kafka.common.KafkaFuture<T> future)
      throws ExecutionException, TimeoutException, InterruptedException {
    return future.get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
  }

  /** Records waiting per running range at the last sample. */
  public Map<String, Long> lag() {
    return Map.copyOf(lagByRange);
  }

  @Override
  public void close() {
    admin.close(java.time.Duration.ofSeconds(5));
  }
}
