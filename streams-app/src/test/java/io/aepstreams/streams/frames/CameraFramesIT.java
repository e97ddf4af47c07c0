package io.aepstreams.streams.frames;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aepstreams.model.backbone.BackboneSpec;
import io.aepstreams.model.bundle.BundleExport;
import io.aepstreams.model.bundle.Manifest;
import io.aepstreams.model.data.ImageSet;
import io.aepstreams.model.ensemble.ExitWeights;
import io.aepstreams.model.ensemble.WeightScheme;
import io.aepstreams.model.policy.Confidence;
import io.aepstreams.model.policy.ExitPolicy;
import io.aepstreams.model.prune.ExitSubset;
import io.aepstreams.model.training.AepTraining;
import io.aepstreams.model.training.TinyData;
import io.aepstreams.model.training.TrainedModel;
import io.aepstreams.model.training.TrainingListener;
import io.aepstreams.model.training.TrainingOptions;
import io.aepstreams.records.Classification;
import io.aepstreams.records.ImageEncoding;
import io.aepstreams.records.ImageRecord;
import io.aepstreams.schemas.wire.AvroSerde;
import io.aepstreams.streams.config.AppConfig;
import io.aepstreams.streams.embedded.LocalCluster;
import io.aepstreams.streams.faults.CommittedResults;
import io.aepstreams.streams.runtime.PipelineInstance;
import io.aepstreams.streams.topics.TopicAdmin;
import io.aepstreams.streams.topics.TopicPlan;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Camera frames as producers send them, 1 to 3 MB each (raw RGB, PNG and JPEG), through a real broker into a split
 * deployment of a 64x64 RGB model (MobileNetV3-Small at a quarter width), with batching and exactly-once on. Every
 * frame crosses the split (the model has no early exit), is answered once, none is dead-lettered and no stream
 * thread is replaced.
 */
class CameraFramesIT {
  private static final int PER_ENCODING = 6;
  private static final long MB = 1_000_000;
  @TempDir static Path dir;
  static LocalCluster cluster;
  static Manifest manifest;
  static Path bundle;

  @BeforeAll
  static void start() throws Exception {
    cluster = LocalCluster.start(dir, 2);
    bundle = dir.resolve("mobilenet-64");
    ImageSet train = TinyData.images(64, 1).resized(3, 64, 64);
    ImageSet validation = TinyData.images(16, 2).resized(3, 64, 64);
    try (TrainedModel model = AepTraining.train(new BackboneSpec("mobilenetv3-small", 3, 64, 64, 2, 0.25),
        ExitWeights.of(WeightScheme.MIX, 4), train, validation, new TrainingOptions(1, 16, 1e-3f, 10, 420),
        TrainingListener.NONE)) {
      manifest = BundleExport.write(bundle, "mobilenet-64", model.parts(), new ExitSubset(List.of(1, 2, 3, 4)),
          ExitPolicy.off(Confidence.MAX_SOFTMAX), Map.of());
    }
  }

  @AfterAll
  static void stop() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void everyFrameIsAnsweredOnceThroughASplitDeployment() throws Exception {
    Map<String, String> settings = cluster.settings("frames");
    settings.put(AppConfig.MODEL, bundle.toString());
    settings.put(AppConfig.APPLICATION_ID_PREFIX, "frames");
    settings.put(AppConfig.BATCH_MAX_SIZE, "4");
    settings.put(AppConfig.BATCH_MAX_DELAY_MS, "1000");
    AppConfig config = AppConfig.from(settings);
    try (TopicAdmin admin = TopicAdmin.connect(config.kafka())) {
      assertEquals(List.of(), admin.create(TopicPlan.all(config, manifest), 2, Optional.of((short) 1)));
    }
    Map<String, ImageRecord> frames = frames();
    Map<String, Long> sizes = new LinkedHashMap<>();
    try (CommittedResults results = new CommittedResults(cluster.kafka.bootstrapServers(),
        cluster.registry.confluentUrl(), config.topics().classifications(), config.topics().dlq());
        PipelineInstance edge = PipelineInstance.start(withStages(settings, "1"));
        PipelineInstance deep = PipelineInstance.start(withStages(settings, "2-4"))) {
      edge.awaitRunning(Duration.ofSeconds(60));
      deep.awaitRunning(Duration.ofSeconds(60));
      AvroSerde<ImageRecord> serde = new AvroSerde<>(ImageRecord.class);
      serde.configure(config.kafka(), false);
      try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers",
          cluster.kafka.bootstrapServers(), "max.request.size", 8 << 20, "linger.ms", 20),
          new ByteArraySerializer(), new ByteArraySerializer())) {
        for (ImageRecord frame : frames.values()) {
          byte[] value = serde.serializer().serialize(config.topics().images(), frame);
          sizes.put(frame.getId().toString(), (long) frame.getData().remaining());
          producer.send(new ProducerRecord<>(config.topics().images(),
              frame.getId().toString().getBytes(StandardCharsets.UTF_8), value));
        }
        producer.flush();
      }
      assertTrue(results.awaitAnswered(frames.size(), Duration.ofSeconds(180)), results.answers().size()
          + " of " + frames.size() + " answered, " + results.deadLettered() + " dead-lettered");
      long settle = System.nanoTime() + Duration.ofSeconds(3).toNanos();
      while (System.nanoTime() < settle) {
        results.poll(); // a duplicate would show up here
      }
      int replaced = edge.replacedThreads() + deep.replacedThreads();
      System.out.printf("camera frames: sent %d (%s) | answered %d | duplicated %d | dead-lettered %d"
              + " | stream threads replaced %d%n", frames.size(), describe(sizes), results.answers().size(),
          results.duplicated(), results.deadLettered(), replaced);
      assertEquals(frames.keySet(), results.answers().keySet());
      assertTrue(results.answers().values().stream().allMatch(n -> n == 1), results.answers().toString());
      assertEquals(0, results.duplicated());
      assertEquals(0, results.deadLettered());
      assertEquals(0, replaced);
      for (Classification result : results.results().values()) {
        assertEquals(4, result.getExitStage(), result.getId() + " crossed the split to the last stage");
      }
      for (Map.Entry<String, Long> size : sizes.entrySet()) {
        assertTrue(size.getValue() >= MB && size.getValue() <= 3 * MB, size.getKey() + " is " + size.getValue()
            + " bytes, outside the 1-3 MB this test is about");
      }
    }
  }

  private static AppConfig withStages(Map<String, String> settings, String stages) {
    Map<String, String> instance = new java.util.HashMap<>(settings);
    instance.put(AppConfig.STAGES, stages);
    return AppConfig.from(instance);
  }

  /** Frames of a camera-like scene (a gradient, an object, sensor noise) at a few resolutions, in each encoding. */
  private static Map<String, ImageRecord> frames() throws IOException {
    int[][] rawSizes = {{1024, 976}, {800, 600}, {640, 640}};
    int[][] encodedSizes = {{1000, 750}, {1240, 930}, {1100, 820}};
    Map<String, ImageRecord> frames = new LinkedHashMap<>();
    Random random = new Random(11);
    for (int i = 0; i < PER_ENCODING; i++) {
      int[] raw = rawSizes[i % rawSizes.length];
      BufferedImage scene = scene(raw[0], raw[1], random, 6);
      byte[] hwc = new byte[raw[0] * raw[1] * 3];
      for (int y = 0; y < raw[1]; y++) {
        for (int x = 0; x < raw[0]; x++) {
          int rgb = scene.getRGB(x, y);
          int p = (y * raw[0] + x) * 3;
          hwc[p] = (byte) (rgb >> 16);
          hwc[p + 1] = (byte) (rgb >> 8);
          hwc[p + 2] = (byte) rgb;
        }
      }
      add(frames, "raw-" + i, ImageEncoding.RAW_U8, hwc, raw[0], raw[1], 3);
      int[] png = encodedSizes[i % encodedSizes.length];
      add(frames, "png-" + i, ImageEncoding.PNG, png(scene(png[0], png[1], random, 10)), null, null, null);
      int[] jpeg = encodedSizes[(i + 1) % encodedSizes.length];
      add(frames, "jpeg-" + i, ImageEncoding.JPEG, jpeg(scene(jpeg[0] * 2, jpeg[1] * 2, random, 24)), null, null,
          null);
    }
    return frames;
  }

  private static void add(Map<String, ImageRecord> frames, String id, ImageEncoding encoding, byte[] data,
      Integer width, Integer height, Integer channels) {
    frames.put(id, ImageRecord.newBuilder().setId(id).setEncoding(encoding).setData(ByteBuffer.wrap(data))
        .setWidth(width).setHeight(height).setChannels(channels).setSentAt(Instant.now()).build());
  }

  private static BufferedImage scene(int width, int height, Random random, int noise) {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    int cx = random.nextInt(width);
    int cy = random.nextInt(height);
    int radius = Math.min(width, height) / 4;
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        boolean object = (x - cx) * (x - cx) + (y - cy) * (y - cy) < radius * radius;
        int r = (object ? 200 : 40 + 120 * x / width) + random.nextInt(2 * noise + 1) - noise;
        int g = (object ? 60 : 60 + 100 * y / height) + random.nextInt(2 * noise + 1) - noise;
        int b = (object ? 50 : 150) + random.nextInt(2 * noise + 1) - noise;
        image.setRGB(x, y, (clamp(r) << 16) | (clamp(g) << 8) | clamp(b));
      }
    }
    return image;
  }

  private static int clamp(int v) {
    return Math.max(0, Math.min(255, v));
  }

  private static byte[] png(BufferedImage image) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(image, "png", out);
    return out.toByteArray();
  }

  private static byte[] jpeg(BufferedImage image) throws IOException {
    ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (MemoryCacheImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
      writer.setOutput(stream);
      ImageWriteParam param = writer.getDefaultWriteParam();
      param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
      param.setCompressionQuality(0.92f);
      writer.write(null, new IIOImage(image, null, null), param);
    } finally {
      writer.dispose();
    }
    return out.toByteArray();
  }

  /** "raw 1.4-3.0 MB, ..." per encoding. */
  private static String describe(Map<String, Long> sizes) {
    List<String> parts = new ArrayList<>();
    for (String kind : List.of("raw", "png", "jpeg")) {
      long min = sizes.entrySet().stream().filter(e -> e.getKey().startsWith(kind + "-"))
          .mapToLong(Map.Entry::getValue).min().orElse(0);
      long max = sizes.entrySet().stream().filter(e -> e.getKey().startsWith(kind + "-"))
          .mapToLong(Map.Entry::getValue).max().orElse(0);
      parts.add(String.format(java.util.Locale.ROOT, "%s %.2f-%.2f MB", kind, min / 1e6, max / 1e6));
    }
    return String.join(", ", parts);
  }
}
