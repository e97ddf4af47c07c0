package io.aepstreams.demo.plan;

import ai.djl.ndarray.NDManager;
import io.aepstreams.model.bundle.Manifest;
import io.aepstreams.model.bundle.StagedModel;
import io.aepstreams.model.data.ImageSet;
import io.aepstreams.model.policy.ExitPolicy;
import io.aepstreams.streams.config.DecodeLimits;
import io.aepstreams.streams.decode.ImageDecoder;
import io.aepstreams.streams.produce.ImageProducer;
import io.aepstreams.streams.topology.StageRunner;
import io.aepstreams.streams.topology.StagedImage;
import java.util.ArrayList;
import java.util.List;

/**
 * Each stage's time on this machine, as a stage processor spends it: the stage and its exit head on a batch, by
 * the {@link StageRunner} the pipeline runs, reading the tensors back (the per-image copy included). Batch 1 and a
 * larger batch are timed in alternation, so that a neighbour's load on a shared machine biases neither.
 */
public final class StageTimes {
  /** Milliseconds per image for one stage: alone (batch 1), and in batches of {@code batch}. */
  public record Row(int stage, double batchOneMillis, int batch, double batchedMillisPerImage) {}

  private StageTimes() {}

  public static List<Row> measure(StagedModel model, NDManager manager, ImageSet images, int batch, int passes) {
    Manifest manifest = model.manifest();
    ImageDecoder decoder = new ImageDecoder(manifest.input(), DecodeLimits.DEFAULT);
    List<StagedImage> current = new ArrayList<>();
    for (int i = 0; i < batch; i++) {
      current.add(StagedImage.decoded(ImageProducer.record(images, i % images.size(), "time-" + i), decoder,
          manifest.input()));
    }
    ExitPolicy none = ExitPolicy.off(manifest.policy().confidence());
    List<Row> rows = new ArrayList<>();
    for (int stage = model.first(); stage <= model.last(); stage++) {
      StageRunner runner = new StageRunner(stage, model, none, "plan");
      List<StagedImage> one = current.subList(0, 1);
      for (int w = 0; w < Math.max(3, passes / 10); w++) {
        runner.run(one, manager);
        runner.run(current, manager);
      }
      long single = 0;
      long batched = 0;
      for (int p = 0; p < passes; p++) {
        single += runner.run(one, manager).nanos();
        batched += runner.run(current, manager).nanos();
      }
      rows.add(new Row(stage, single / 1e6 / passes, batch, batched / 1e6 / passes / batch));
      current = runner.run(current, manager).goingOn();
    }
    return rows;
  }
}
