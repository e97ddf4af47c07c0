package io.aepstreams.streams.redeploy;

import io.aepstreams.model.bundle.Manifest;
import io.aepstreams.schemas.wire.AvroSerde;
import io.aepstreams.streams.config.AppConfig;
import io.aepstreams.streams.config.StageRange;
import io.aepstreams.streams.topics.TopicNeed;
import io.aepstreams.streams.topics.TopicPlan;
import io.aepstreams.streams.topology.AepTopology;
import io.aepstreams.streams.topology.WaitingImages;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.HexFormat;
import java.util.function.Consumer;
import java.util.concurrent.ExecutionException;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Moves a stopped deployment's position to a new split of the same model, so that no image is answered twice or
 * lost (docs/design.md, "Changing the split"). Every stage range is a consumer group of its own, so a new range
 * would otherwise start from the beginning of its input topic and answer every retained image again.
 *
 * <ul>
 *   <li>A new range that starts where an old one started takes over that group's committed offsets, and the images
 *       the old group left waiting for a batch (offsets committed, no answer yet) are sent again to that input
 *       topic, while the old group's store forgets them.
 *   <li>A new range that starts where no old one did reads a hand-off topic nobody read: it starts at its end.
 *   <li>An old range that no new range continues must have drained: nothing unread on its input, nothing waiting.
 * </ul>
 *
 * All of it is one transaction: the images sent again, the old stores' tombstones and the new groups' offsets
 * commit together or not at all. Ranges in both deployments keep their groups untouched. Every old and new
 * instance must be stopped, which the plan checks (no group may have members).
 */
public final class OffsetsCopy {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  /** How far the drain check counts the images an old range has still to read. */
  private static final long UNREAD_COUNTED = 10_000;

  /** Where a new range's group starts: the offsets, and why those. */
  public record Seed(StageRange range, String group, String topic, Map<TopicPartition, Long> offsets,
      String basis) {}

  /** Images an old group left waiting, to be sent again to the input of the new range that starts where it did. */
  public record Carried(StageRange from, StageRange to, String changelog, String topic,
      List<ConsumerRecord<byte[], byte[]>> images) {}

  /** What the copy would do, and what stops it. */
  public record Plan(Deployment from, Deployment to, List<StageRange> unchanged, List<Seed> seeds,
      List<Carried> carried, List<String> problems, boolean alreadyDone) {
    public boolean ready() {
      return problems.isEmpty() && !alreadyDone;
    }

    public void print(PrintWriter out) {
      out.println("from " + from + " to " + to);
      unchanged.forEach(r -> out.println("  stages " + r + ": in both, its group is left as it is"));
      for (Seed seed : seeds) {
        long total = seed.offsets().values().stream().mapToLong(Long::longValue).sum();
        out.println("  stages " + seed.range() + " (" + seed.group() + ") starts on " + seed.topic() + " at "
            + new TreeMap<>(byPartition(seed.offsets())) + " (" + total + " in all): " + seed.basis());
      }
      for (Carried c : carried) {
        out.println("  " + c.images().size() + " image(s) stages " + c.from() + " left waiting go to " + c.topic()
            + " for stages " + c.to());
      }
      problems.forEach(p -> out.println("  problem: " + p));
      if (alreadyDone) {
        out.println("already done: every new group has its offsets and nothing waits in the old groups' stores");
      }
    }
  }

  private final AppConfig config;
  private final Manifest manifest;

  public OffsetsCopy(AppConfig config, Manifest manifest) {
    this.config = config;
    this.manifest = manifest;
  }

  /** Reads the groups and topics of both deployments and says what a copy would do; changes nothing. */
  public Plan plan(Deployment from, Deployment to) {
    int stages = manifest.stages().size();
    for (Deployment d : List.of(from, to)) {
      if (d.lastStage() != stages) {
        throw new IllegalArgumentException("deployment " + d + " does not end at the model's last stage " + stages
            + " (" + manifest.name() + ")");
      }
    }
    List<StageRange> unchanged = from.ranges().stream().filter(to.ranges()::contains).toList();
    List<StageRange> removed = from.ranges().stream().filter(r -> !unchanged.contains(r)).toList();
    List<StageRange> added = to.ranges().stream().filter(r -> !unchanged.contains(r)).toList();
    List<String> problems = new ArrayList<>();
    List<Seed> seeds = new ArrayList<>();
    List<Carried> carried = new ArrayList<>();
    try (Admin admin = Admin.create(clientSettings(AdminClientConfig.configNames()))) {
      for (StageRange range : added) {
        String topic = inputTopic(range.first());
        Optional<StageRange> before = removed.stream().filter(r -> r.first() == range.first()).findFirst();
        if (before.isPresent()) {
          String group = config.applicationId(before.get());
          Map<TopicPartition, Long> offsets = new HashMap<>();
          committed(admin, group).forEach((tp, offset) -> {
            if (tp.topic().equals(topic)) {
              offsets.put(tp, offset);
            }
          });
          seeds.add(new Seed(range, config.applicationId(range), topic, offsets, "where " + group + " left off"));
          List<ConsumerRecord<byte[], byte[]>> images = waiting(before.get());
          if (!images.isEmpty()) {
            carried.add(new Carried(before.get(), range, changelog(before.get()), topic, images));
          }
        } else {
          seeds.add(new Seed(range, config.applicationId(range), topic, endOffsets(admin, topic),
              "the end of " + topic + ": no stopped range read it"));
        }
      }
      List<StageRange> seeded = new ArrayList<>();
      for (StageRange range : added) {
        if (!committed(admin, config.applicationId(range)).isEmpty()) {
          seeded.add(range);
        }
      }
      if (!seeded.isEmpty()) {
        // Run again after a copy (a Job retried, say): the new groups have their offsets, the old stores nothing
        // left waiting; the new instances may already be running.
        boolean done = carried.isEmpty()
            && seeds.stream().allMatch(seed -> seed.offsets().isEmpty() || seeded.contains(seed.range()));
        if (done) {
          return new Plan(from, to, unchanged, List.of(), List.of(), List.of(), true);
        }
        problems.add("the new groups of stages " + seeded + " already have committed offsets: they ran, or were "
            + "copied to from another deployment; delete those groups (kafka-consumer-groups --delete) and copy "
            + "again");
      }
      for (StageRange range : concat(removed, added)) {
        int members = members(admin, config.applicationId(range));
        if (members > 0) {
          problems.add("group " + config.applicationId(range) + " (stages " + range + ") has " + members
              + " member(s): stop every instance of both deployments first");
        }
      }
      for (StageRange old : removed) {
        if (added.stream().anyMatch(r -> r.first() == old.first())) {
          continue;
        }
        String topic = inputTopic(old.first());
        long unread = unread(admin, config.applicationId(old), topic);
        int waiting = waiting(old).size();
        if (unread > 0 || waiting > 0) {
          problems.add("stages " + old + " must drain first (no new range starts at stage " + old.first() + "): "
              + (unread >= UNREAD_COUNTED ? "at least " : "") + unread + " image(s) unread on " + topic + ", "
              + waiting + " waiting for a batch. Stop the instances before it, run stages " + old
              + " until its lag is 0, stop it, and copy again");
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reading the groups", e);
    }
    return new Plan(from, to, unchanged, seeds, carried, problems, false);
  }

  /** Carries out a ready plan in one transaction. */
  public void apply(Plan plan) {
    if (!plan.ready()) {
      throw new IllegalStateException("the plan is not ready: " + plan.problems());
    }
    Map<String, Object> settings = clientSettings(ProducerConfig.configNames());
    settings.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, config.applicationIdPrefix() + "-offsets-copy");
    long largest = TopicPlan.all(config, manifest).stream().mapToLong(TopicNeed::maxMessageBytes).max().orElse(0);
    settings.putIfAbsent(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, (int) largest);
    Map<Class<?>, AvroSerde<SpecificRecord>> serdes = new HashMap<>();
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(settings, new ByteArraySerializer(),
        new ByteArraySerializer())) {
      producer.initTransactions();
      producer.beginTransaction();
      for (Carried c : plan.carried()) {
        for (ConsumerRecord<byte[], byte[]> stored : c.images()) {
          WaitingImages.Stored image = WaitingImages.read(stored.value());
          byte[] value = serde(serdes, image.entered()).serializer().serialize(c.topic(), image.entered());
          producer.send(new ProducerRecord<>(c.topic(), stored.partition(), image.timestamp(), image.key(), value,
              image.headers()));
          // The old group's store forgets it: were the old range started again, it would not answer it twice.
          producer.send(new ProducerRecord<>(c.changelog(), stored.partition(), stored.key(), null));
        }
      }
      for (Seed seed : plan.seeds()) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        seed.offsets().forEach((tp, offset) -> offsets.put(tp, new OffsetAndMetadata(offset,
            "aep offsets copy: " + seed.basis())));
        if (!offsets.isEmpty()) {
          producer.sendOffsetsToTransaction(offsets, new ConsumerGroupMetadata(seed.group()));
        }
      }
      producer.commitTransaction();
    }
  }

  @SuppressWarnings("unchecked")
  private AvroSerde<SpecificRecord> serde(Map<Class<?>, AvroSerde<SpecificRecord>> serdes, SpecificRecord record) {
    return serdes.computeIfAbsent(record.getClass(), type -> {
      AvroSerde<SpecificRecord> serde = new AvroSerde<>((Class<SpecificRecord>) type);
      serde.configure(config.kafka(), false);
      return serde;
    });
  }

  private String inputTopic(int stage) {
    return stage == 1 ? config.topics().images() : config.topics().stage(stage);
  }

  private String changelog(StageRange range) {
    return AepTopology.changelog(config, range);
  }

  /**
   * The live records of a stopped range's waiting store: the images it left waiting for a batch, their offsets
   * committed. Its changelog is read to its last committed record: the latest value of each key, without the
   * deleted ones.
   */
  public List<ConsumerRecord<byte[], byte[]>> waiting(StageRange range) {
    Map<String, ConsumerRecord<byte[], byte[]>> live = new LinkedHashMap<>();
    readToEnd(changelog(range), Map.of(), Long.MAX_VALUE, record -> {
      String key = record.partition() + "/" + HexFormat.of().formatHex(record.key());
      if (record.value() == null) {
        live.remove(key);
      } else {
        live.put(key, record);
      }
    });
    return List.copyOf(live.values());
  }

  /**
   * Images on {@code topic} past {@code group}'s committed offsets (from the log's start where it has none), counted
   * up to {@code UNREAD_COUNTED}. Read rather than subtracted: a transaction's commit marker takes an offset too.
   */
  private long unread(Admin admin, String group, String topic) throws InterruptedException {
    long[] count = {0};
    readToEnd(topic, committed(admin, group), UNREAD_COUNTED, record -> count[0]++);
    return count[0];
  }

  /**
   * Reads the committed records of every partition of {@code topic}, from {@code from} (the start where it has no
   * offset) to the end as it is now, at most {@code limit} of them; a topic that does not exist has none.
   */
  private void readToEnd(String topic, Map<TopicPartition, Long> from, long limit,
      Consumer<ConsumerRecord<byte[], byte[]>> each) {
    Map<String, Object> settings = clientSettings(ConsumerConfig.configNames());
    settings.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, IsolationLevel.READ_COMMITTED.toString());
    settings.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    settings.remove(ConsumerConfig.GROUP_ID_CONFIG);
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(settings, new ByteArrayDeserializer(),
        new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = consumer.listTopics(TIMEOUT).getOrDefault(topic, List.of()).stream()
          .map(p -> new TopicPartition(topic, p.partition())).toList();
      if (partitions.isEmpty()) {
        return;
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      for (TopicPartition tp : partitions) {
        if (from.containsKey(tp)) {
          consumer.seek(tp, from.get(tp));
        }
      }
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions, TIMEOUT);
      long deadline = System.nanoTime() + TIMEOUT.toNanos() * 4;
      long read = 0;
      while (read < limit && partitions.stream().anyMatch(tp -> consumer.position(tp, TIMEOUT) < end.get(tp))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("could not read " + topic + " to its end within "
              + TIMEOUT.multipliedBy(4));
        }
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
          if (record.offset() < end.get(new TopicPartition(record.topic(), record.partition())) && read++ < limit) {
            each.accept(record);
          }
        }
      }
    }
  }

  private static int members(Admin admin, String group) throws InterruptedException {
    try {
      ConsumerGroupDescription description = admin.describeConsumerGroups(List.of(group)).describedGroups()
          .get(group).get();
      return description.members().size();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof GroupIdNotFoundException) {
        return 0;
      }
      throw new IllegalStateException("cannot describe group " + group + ": " + e.getCause(), e.getCause());
    }
  }

  private static Map<TopicPartition, Long> committed(Admin admin, String group) throws InterruptedException {
    try {
      Map<TopicPartition, Long> offsets = new HashMap<>();
      admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().forEach((tp, offset) -> {
        if (offset != null) {
          offsets.put(tp, offset.offset());
        }
      });
      return offsets;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof GroupIdNotFoundException) {
        return Map.of();
      }
      throw new IllegalStateException("cannot read the offsets of group " + group + ": " + e.getCause(),
          e.getCause());
    }
  }

  private static Map<TopicPartition, Long> offsets(Admin admin, String topic, OffsetSpec spec)
      throws InterruptedException {
    try {
      List<TopicPartition> partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic)
          .partitions().stream().map(p -> new TopicPartition(topic, p.partition())).toList();
      Map<TopicPartition, OffsetSpec> request = new HashMap<>();
      partitions.forEach(tp -> request.put(tp, spec));
      Map<TopicPartition, Long> offsets = new HashMap<>();
      admin.listOffsets(request, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get()
          .forEach((tp, info) -> offsets.put(tp, info.offset()));
      return offsets;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof UnknownTopicOrPartitionException) {
        throw new IllegalArgumentException("topic " + topic + " does not exist: ./aep topics create makes it");
      }
      throw new IllegalStateException("cannot read the offsets of " + topic + ": " + e.getCause(), e.getCause());
    }
  }

  private static Map<TopicPartition, Long> endOffsets(Admin admin, String topic) throws InterruptedException {
    return offsets(admin, topic, OffsetSpec.latest());
  }

  private Map<String, Object> clientSettings(java.util.Set<String> names) {
    return AppConfig.forClient(config.kafka(), names);
  }

  private static Map<Integer, Long> byPartition(Map<TopicPartition, Long> offsets) {
    Map<Integer, Long> out = new HashMap<>();
    offsets.forEach((tp, offset) -> out.put(tp.partition(), offset));
    return out;
  }

  private static List<StageRange> concat(List<StageRange> a, List<StageRange> b) {
    List<StageRange> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }
}
