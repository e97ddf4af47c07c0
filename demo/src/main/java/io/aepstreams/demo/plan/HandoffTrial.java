package io.aepstreams.demo.plan;

import ai.djl.ndarray.NDManager;
import io.aepstreams.model.bundle.Manifest;
import io.aepstreams.model.bundle.StagedModel;
import io.aepstreams.model.data.ImageSet;
import io.aepstreams.model.policy.ExitPolicy;
import io.aepstreams.records.ImageRecord;
import io.aepstreams.records.PartialInference;
import io.aepstreams.schemas.wire.AvroSerde;
import io.aepstreams.streams.config.DecodeLimits;
import io.aepstreams.streams.decode.ImageDecoder;
import io.aepstreams.streams.handoff.HandoffEncoding;
import io.aepstreams.streams.produce.ImageProducer;
import io.aepstreams.streams.topology.StageRunner;
import io.aepstreams.streams.topology.StagedImage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntConsumer;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Images through a bundle's stages as a split deployment would run them, once for every split point and hand-off
 * encoding: the images going on after the split are handed through the encoding (encoded as the hand-off writer
 * encodes them, decoded as the reader does) and run on from there, each batch as the pipeline would form it. The
 * decisions (class and exit) are compared with the float32 run's, and the hand-off records are measured: their
 * bytes as written, and on the wire in record batches as Kafka's producer makes them, per compression codec.
 */
public final class HandoffTrial {
  /** Kafka's default {@code batch.size}: the producer closes a record batch once it holds this many bytes. */
  public static final int PRODUCER_BATCH_BYTES = 16_384;
  /** The codecs measured; {@code none} is the record batch's own overhead. */
  public static final List<String> CODECS = List.of("none", "lz4", "zstd");

  /** The answer an image got and the stage it left at. */
  public record Decision(int answer, int exit) {}

  /**
   * The decisions with {@code encoding} at split {@code split} against float32's, over every image (those that left
   * before the split are the same by construction), and among the images that crossed.
   */
  public record Agreement(int split, String encoding, int images, int crossing, int sameDecisions, int sameClasses,
      int labelled, int right, int referenceRight) {
    public double sameDecisionShare() {
      return (double) sameDecisions / images;
    }

    public double accuracy() {
      return (double) right / labelled;
    }

    public double referenceAccuracy() {
      return (double) referenceRight / labelled;
    }

    /** Accuracy against float32's, in points: negative when the encoding loses. */
    public double accuracyDeltaPoints() {
      return 100.0 * (right - referenceRight) / labelled;
    }

    /** The bar an encoding must clear to be used: 99.9% of decisions the same, accuracy within 0.1 points. */
    public boolean keepsDecisions() {
      return sameDecisions >= Math.ceil(0.999 * images) && accuracyDeltaPoints() >= -0.1 - 1e-9;
    }
  }

  /**
   * The hand-off records of a split in one encoding: their mean bytes as written (key and value), on the wire per
   * codec (record batches of up to {@link #PRODUCER_BATCH_BYTES}, headers included, per record) with the time to
   * build those batches per record (the producer's compression), and the CPU time to encode and to decode one
   * image's tensor.
   */
  public record Size(int split, String encoding, int records, double recordBytes, Map<String, Double> wireBytes,
      Map<String, Double> wireMillis, double encodeMillis, double decodeMillis) {}

  /** What a trial gave: the float32 run's exit shares and accuracy, then per split point and encoding. */
  public record Result(int images, Map<Integer, Double> exitShares, double accuracy, List<Agreement> agreements,
      List<Size> sizes) {
    public Size size(int split, HandoffEncoding encoding) {
      return sizes.stream().filter(s -> s.split() == split && s.encoding().equals(encoding.setting())).findFirst()
          .orElseThrow();
    }

    public Agreement agreement(int split, HandoffEncoding encoding) {
      return agreements.stream().filter(a -> a.split() == split && a.encoding().equals(encoding.setting()))
          .findFirst().orElseThrow();
    }
  }

  private HandoffTrial() {}

  /**
   * Runs {@code images} through {@code model} under {@code policy} in batches of {@code batch}, and again from every
   * split point in every encoding; measures the records of the first {@code sizeSample} images crossing each split.
   * {@code progress} hears the images done so far.
   */
  public static Result run(StagedModel model, NDManager manager, ImageSet images, ExitPolicy policy, int batch,
      int sizeSample, IntConsumer progress) {
    Manifest manifest = model.manifest();
    int last = model.last();
    List<StageRunner> runners = new ArrayList<>();
    for (int stage = model.first(); stage <= last; stage++) {
      runners.add(new StageRunner(stage, model, policy, "plan"));
    }
    ImageDecoder decoder = new ImageDecoder(manifest.input(), DecodeLimits.DEFAULT);
    AvroSerde<PartialInference> serde = new AvroSerde<>(PartialInference.class);
    serde.configure(Map.of("schema.registry.url", "mock://handoff-trial"), false);
    Serializer<PartialInference> serializer = serde.serializer();

    Map<String, Decision> reference = new HashMap<>();
    Map<String, Integer> labels = new HashMap<>();
    Map<Integer, Integer> leftAt = new TreeMap<>();
    Map<String, Map<String, Decision>> trials = new LinkedHashMap<>(); // "split/encoding" -> decisions of crossers
    Map<String, Sizes> sizes = new LinkedHashMap<>();
    for (int from = 0; from < images.size(); from += batch) {
      List<StagedImage> current = new ArrayList<>();
      for (int i = from; i < Math.min(images.size(), from + batch); i++) {
        ImageRecord record = ImageProducer.record(images, i, "plan-" + i);
        current.add(StagedImage.decoded(record, decoder, manifest.input()));
        labels.put(record.getId().toString(), record.getLabel());
      }
      Map<Integer, List<StagedImage>> goingOnAfter = new TreeMap<>();
      for (StageRunner runner : runners) {
        StageRunner.Outcome outcome = runner.run(current, manager);
        for (StagedImage image : outcome.leaving()) {
          reference.put(image.origin().id(), new Decision(image.ensemble().answer(), runner.stage()));
          leftAt.merge(runner.stage(), 1, Integer::sum);
        }
        current = outcome.goingOn();
        goingOnAfter.put(runner.stage(), current);
        if (current.isEmpty()) {
          break;
        }
      }
      for (int split = model.first(); split < last; split++) {
        List<StagedImage> crossing = goingOnAfter.getOrDefault(split, List.of());
        for (HandoffEncoding encoding : HandoffEncoding.values()) {
          String key = split + "/" + encoding.setting();
          Map<String, Decision> decided = trials.computeIfAbsent(key, k -> new HashMap<>());
          Sizes measured = sizes.computeIfAbsent(key, k -> new Sizes());
          List<StagedImage> handed = new ArrayList<>(crossing.size());
          for (StagedImage image : crossing) {
            long start = System.nanoTime();
            PartialInference record = image.handoff(manifest, split + 1, encoding);
            long encoded = System.nanoTime();
            float[] tensor = HandoffEncoding.decode(record.getTensor());
            measured.encodeNanos += encoded - start;
            measured.decodeNanos += System.nanoTime() - encoded;
            measured.images++;
            if (measured.records.size() < sizeSample) {
              measured.records.add(new SimpleRecord(0L, image.origin().id().getBytes(StandardCharsets.UTF_8),
                  serializer.serialize("plan.stage-" + (split + 1), record)));
            }
            handed.add(new StagedImage(image.origin(), tensor, image.shape(), image.ensemble(), image.timings()));
          }
          for (int s = split; s < last && !handed.isEmpty(); s++) {
            StageRunner.Outcome outcome = runners.get(s - model.first() + 1).run(handed, manager);
            for (StagedImage image : outcome.leaving()) {
              decided.put(image.origin().id(), new Decision(image.ensemble().answer(), s + 1));
            }
            handed = outcome.goingOn();
          }
        }
      }
      progress.accept(Math.min(images.size(), from + batch));
    }
    int right = 0;
    int labelled = 0;
    for (Map.Entry<String, Decision> e : reference.entrySet()) {
      Integer label = labels.get(e.getKey());
      if (label != null) {
        labelled++;
        right += e.getValue().answer() == label ? 1 : 0;
      }
    }
    List<Agreement> agreements = new ArrayList<>();
    List<Size> sizeRows = new ArrayList<>();
    for (Map.Entry<String, Map<String, Decision>> trial : trials.entrySet()) {
      int split = Integer.parseInt(trial.getKey().split("/")[0]);
      String encoding = trial.getKey().split("/")[1];
      int same = 0;
      int sameClass = 0;
      int trialRight = 0;
      for (Map.Entry<String, Decision> e : reference.entrySet()) {
        Decision ref = e.getValue();
        Decision got = ref.exit() <= split ? ref : trial.getValue().get(e.getKey());
        same += ref.equals(got) ? 1 : 0;
        sameClass += got != null && ref.answer() == got.answer() ? 1 : 0;
        Integer label = labels.get(e.getKey());
        trialRight += label != null && got != null && got.answer() == label ? 1 : 0;
      }
      agreements.add(new Agreement(split, encoding, reference.size(), trial.getValue().size(), same, sameClass,
          labelled, trialRight, right));
      Sizes measured = sizes.get(trial.getKey());
      sizeRows.add(measured.row(split, encoding));
    }
    Map<Integer, Double> shares = new TreeMap<>();
    leftAt.forEach((stage, n) -> shares.put(stage, (double) n / reference.size()));
    return new Result(reference.size(), shares, labelled == 0 ? Double.NaN : (double) right / labelled, agreements,
        sizeRows);
  }

  /** The records and times gathered for one split and encoding. */
  private static final class Sizes {
    final List<SimpleRecord> records = new ArrayList<>();
    long encodeNanos;
    long decodeNanos;
    int images;

    Size row(int split, String encoding) {
      if (records.isEmpty()) {
        return new Size(split, encoding, 0, 0, Map.of(), Map.of(), 0, 0);
      }
      double written = records.stream().mapToDouble(r -> r.key().remaining() + r.value().remaining()).sum();
      Map<String, Double> wire = new LinkedHashMap<>();
      Map<String, Double> millis = new LinkedHashMap<>();
      for (String codec : CODECS) {
        wireBytes(records, codec); // warm-up: the codec's classes and buffers
        long start = System.nanoTime();
        wire.put(codec, (double) wireBytes(records, codec) / records.size());
        millis.put(codec, (System.nanoTime() - start) / 1e6 / records.size());
      }
      return new Size(split, encoding, records.size(), written / records.size(), wire, millis,
          encodeNanos / 1e6 / images, decodeNanos / 1e6 / images);
    }
  }

  /**
   * The bytes {@code records} take as the producer would send them with {@code codec}: in order, into record
   * batches closed once they reach {@link #PRODUCER_BATCH_BYTES} (a larger record goes in a batch of its own).
   */
  static long wireBytes(List<SimpleRecord> records, String codec) {
    Compression compression = Compression.of(codec).build();
    long total = 0;
    List<SimpleRecord> open = new ArrayList<>();
    long openBytes = 0;
    for (SimpleRecord record : records) {
      long size = record.key().remaining() + record.value().remaining();
      if (!open.isEmpty() && openBytes + size > PRODUCER_BATCH_BYTES) {
        total += MemoryRecords.withRecords(compression, open.toArray(new SimpleRecord[0])).sizeInBytes();
        open.clear();
        openBytes = 0;
      }
      open.add(record);
      openBytes += size;
    }
    if (!open.isEmpty()) {
      total += MemoryRecords.withRecords(compression, open.toArray(new SimpleRecord[0])).sizeInBytes();
    }
    return total;
  }
}
