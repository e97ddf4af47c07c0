package io.aepstreams.streams.topology;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.aepstreams.model.bundle.Manifest;
import io.aepstreams.model.bundle.StagedModel;
import io.aepstreams.model.policy.ExitPolicy;
import io.aepstreams.model.policy.PartialEnsemble;
import io.aepstreams.records.StageTiming;
import io.aepstreams.streams.runtime.PipelineMetrics;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Timer;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Runs one stage, and its exit head where one is kept, on a batch of images in one forward pass; then decides for
 * each image on its own, with the policy's exit rule. The images that leave go to child {@code decided} as one
 * batch; the rest go on as a smaller batch to child {@code onward} (the next stage here, or the hand-off to the next
 * instance). The bundle's last stage has no onward child: every image leaves there.
 */
final class StageProcessor extends ContextualProcessor<byte[], Batch, byte[], Batch> {
  private final int stage;
  private final StagedModel model;
  private final ExitPolicy policy;
  private final String decided;
  private final Optional<String> onward;
  private final String instance;
  private final boolean lastOfBundle;
  private final double b;
  private final NDManager manager;
  private final Timer compute;
  private final DistributionSummary batchSizes;

  /**
   * @param decided the child that writes the results of images that leave here
   * @param onward the child that takes the images going on; empty only for the bundle's last stage
   * @param manager the parent of the per-batch managers
   */
  StageProcessor(int stage, StagedModel model, ExitPolicy policy, String decided, Optional<String> onward,
      String instance, NDManager manager) {
    Manifest manifest = model.manifest();
    this.stage = stage;
    this.model = model;
    this.policy = policy;
    this.decided = decided;
    this.onward = onward;
    this.instance = instance;
    this.manager = manager;
    this.lastOfBundle = stage == manifest.stages().size();
    if (lastOfBundle != onward.isEmpty()) {
      throw new IllegalArgumentException("stage " + stage + " of " + manifest.stages().size()
          + (lastOfBundle ? " is the last: nothing goes on from it" : " needs somewhere for images to go on"));
    }
    if (lastOfBundle && !model.hasExit(stage)) {
      throw new IllegalArgumentException("the bundle's last stage " + stage + " keeps no exit");
    }
    Manifest.Exit exit = manifest.exit(stage);
    this.b = exit == null ? 0 : exit.b();
    this.compute = PipelineMetrics.stageTime(stage);
    this.batchSizes = PipelineMetrics.batchSize(stage);
  }

  @Override
  public void process(Record<byte[], Batch> record) {
    List<StagedImage> images = record.value().images();
    if (images.isEmpty()) {
      return;
    }
    long start = System.nanoTime();
    int n = images.size();
    long[] inputShape = images.get(0).shape();
    float[][] logits = null;
    float[] outputs = null;
    long[] outputShape;
    // One sub-manager per batch, closed after it: the model's manager would otherwise keep every tensor.
    try (NDManager scope = manager.newSubManager()) {
      NDArray input = scope.create(stack(images, inputShape), new Shape(withBatch(n, inputShape)));
      NDArray output = model.runStage(stage, input);
      long[] dims = output.getShape().getShape();
      outputShape = Arrays.copyOfRange(dims, 1, dims.length);
      if (model.hasExit(stage)) {
        float[] flat = model.runExit(stage, output).toFloatArray();
        int classes = flat.length / n;
        logits = new float[n][];
        for (int i = 0; i < n; i++) {
          logits[i] = Arrays.copyOfRange(flat, i * classes, (i + 1) * classes);
        }
      }
      if (!lastOfBundle) {
        outputs = output.toFloatArray();
      }
    }
    long nanos = System.nanoTime() - start;
    compute.record(nanos, TimeUnit.NANOSECONDS);
    batchSizes.record(n);
    StageTiming timing = new StageTiming(stage, nanos / n / 1_000, instance);
    int perImage = (int) Arrays.stream(outputShape).reduce(1, (x, y) -> x * y);
    List<StagedImage> leaving = new ArrayList<>();
    List<StagedImage> goingOn = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      StagedImage image = images.get(i);
      PartialEnsemble ensemble = logits == null ? image.ensemble() : image.ensemble().after(stage, logits[i], b);
      boolean leaves = model.hasExit(stage) && policy.leaves(stage, ensemble, lastOfBundle);
      float[] tensor = leaves || outputs == null ? new float[0]
          : Arrays.copyOfRange(outputs, i * perImage, (i + 1) * perImage);
      (leaves ? leaving : goingOn).add(image.after(tensor, outputShape, ensemble, timing));
    }
    if (!leaving.isEmpty()) {
      context().forward(record.withValue(new Batch(leaving)), decided);
    }
    if (!goingOn.isEmpty()) {
      context().forward(record.withValue(new Batch(goingOn)), onward.orElseThrow());
    }
  }

  /** The images' tensors one after another: the batch's input in row-major order. */
  private static FloatBuffer stack(List<StagedImage> images, long[] shape) {
    int size = (int) Arrays.stream(shape).reduce(1, (x, y) -> x * y);
    FloatBuffer all = FloatBuffer.allocate(size * images.size());
    for (StagedImage image : images) {
      if (!Arrays.equals(image.shape(), shape) || image.tensor().length != size) {
        throw new IllegalStateException("image '" + image.origin().id() + "' has shape " + Arrays.toString(
            image.shape()) + " in a batch of " + Arrays.toString(shape));
      }
      all.put(image.tensor());
    }
    return all.flip();
  }

  private static long[] withBatch(int n, long[] shape) {
    long[] out = new long[shape.length + 1];
    out[0] = n;
    System.arraycopy(shape, 0, out, 1, shape.length);
    return out;
  }
}
