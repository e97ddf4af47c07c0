package io.aepstreams.streams.topology;

import ai.djl.ndarray.NDManager;
import io.aepstreams.model.bundle.StagedModel;
import io.aepstreams.records.Classification;
import io.aepstreams.records.ImageRecord;
import io.aepstreams.schemas.registry.InMemorySchemaRegistry;
import io.aepstreams.schemas.wire.AvroSerde;
import io.aepstreams.streams.config.AppConfig;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;

/** What the single-process pipeline answers for some images: the reference a split deployment must match. */
public final class SingleProcessReference {
  private SingleProcessReference() {}

  public static Map<String, Classification> classify(TinyBundle bundle, List<ImageRecord> images) {
    String scope = "reference-" + UUID.randomUUID();
    Map<String, String> settings = new HashMap<>();
    settings.put(AppConfig.MODEL, bundle.dir.toString());
    settings.put("schema.registry.url", "mock://" + scope);
    settings.put("bootstrap.servers", "unused:9092");
    AppConfig config = AppConfig.from(settings);
    Map<String, Object> registry = Map.of("schema.registry.url", "mock://" + scope);
    try (NDManager manager = NDManager.newBaseManager();
        StagedModel model = StagedModel.all(bundle.open(), manager);
        TopologyTestDriver driver = new TopologyTestDriver(AepTopology.build(config, model, manager),
            AepTopology.streamsProperties(config, AepTopology.range(config, bundle.manifest), bundle.manifest));
        AvroSerde<ImageRecord> in = new AvroSerde<>(ImageRecord.class);
        AvroSerde<Classification> out = new AvroSerde<>(Classification.class)) {
      in.configure(registry, false);
      out.configure(registry, false);
      TestInputTopic<byte[], ImageRecord> topic = driver.createInputTopic(config.topics().images(),
          new ByteArraySerializer(), in.serializer());
      images.forEach(image -> topic.pipeInput(image.getId().getBytes(), image));
      AepTopologyTest.releaseWaiting(driver);
      Map<String, Classification> results = new LinkedHashMap<>();
      driver.createOutputTopic(config.topics().classifications(), new ByteArrayDeserializer(), out.deserializer())
          .readValuesToList().forEach(c -> results.put(c.getId(), c));
      return results;
    } finally {
      InMemorySchemaRegistry.dropScope(scope);
    }
  }
}
