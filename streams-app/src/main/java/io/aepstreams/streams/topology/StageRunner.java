package io.aepstreams.streams.topology;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.aepstreams.model.bundle.Manifest;
import io.aepstreams.model.bundle.StagedModel;
import io.aepstreams.model.policy.ExitPolicy;
import io.aepstreams.model.policy.PartialEnsemble;
import io.aepstreams.records.EarlyAnswer;
import io.aepstreams.records.StageTiming;
import io.aepstreams.streams.control.PointInForce;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One stage of a model on a batch of images, without Kafka: one forward pass of the stage and its exit head (where
 * one is kept), then the exit rule for each image on its own. What a {@link StageProcessor} runs, and what the
 * benchmark runs in a plain loop to measure the model's own limit.
 */
public class StageRunner {
  private final int stage;
  private final StagedModel model;
  private final PointInForce points;
  private final AuditSampler audit;
  private final String instance;
  private final boolean lastOfBundle;
  private final double b;

  /**
   * What a batch became: the images that leave at this stage's exit (audit copies that reached the last kept exit
   * among them), the rest, the pass's time, and the CPU time the calling thread spent on it (stacking, the forward
   * passes, the exit rule; the engine's own worker threads not counted): what tells a stream thread's model work
   * apart from its Kafka work.
   */
  public record Outcome(List<StagedImage> leaving, List<StagedImage> goingOn, long nanos, long cpuNanos) {}

  private static final java.lang.management.ThreadMXBean THREADS =
      java.lang.management.ManagementFactory.getThreadMXBean();

  /** A stage that decides with {@code policy} always, and audits nothing: the benchmark's and the planner's. */
  public StageRunner(int stage, StagedModel model, ExitPolicy policy, String instance) {
    this(stage, model, PointInForce.of(model.manifest(), java.util.Optional.of(policy)), AuditSampler.NONE, instance);
  }

  /**
   * A stage that decides each batch with the point in force when the batch starts, and sends a copy of the images
   * {@code audit} samples among those leaving early on to the last kept exit.
   */
  public StageRunner(int stage, StagedModel model, PointInForce points, AuditSampler audit, String instance) {
    Manifest manifest = model.manifest();
    this.stage = stage;
    this.model = model;
    this.points = points;
    this.audit = audit;
    this.instance = instance;
    this.lastOfBundle = stage == manifest.stages().size();
    if (lastOfBundle && !model.hasExit(stage)) {
      throw new IllegalArgumentException("the bundle's last stage " + stage + " keeps no exit");
    }
    Manifest.Exit exit = manifest.exit(stage);
    this.b = exit == null ? 0 : exit.b();
  }

  public int stage() {
    return stage;
  }

  /** Whether images can still go on after this stage (false for the bundle's last, where every image leaves). */
  public boolean hasNext() {
    return !lastOfBundle;
  }

  /** Runs the batch; tensors live on a sub-manager of {@code manager}, closed before this returns. */
  public Outcome run(List<StagedImage> images, NDManager manager) {
    // one point for the whole batch: a change takes effect from the next batch on
    PointInForce.Applied point = points.current();
    long start = System.nanoTime();
    long cpuStart = THREADS.getCurrentThreadCpuTime();
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
    WaitClock.forwardPassRan();
    StageTiming timing = new StageTiming(stage, nanos / n / 1_000, instance);
    int perImage = (int) Arrays.stream(outputShape).reduce(1, (x, y) -> x * y);
    List<StagedImage> leaving = new ArrayList<>();
    List<StagedImage> goingOn = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      StagedImage image = images.get(i);
      PartialEnsemble ensemble = logits == null ? image.ensemble() : image.ensemble().after(stage, logits[i], b);
      // an audit copy ignores the thresholds: it runs to the last kept exit, the bundle's last stage
      boolean leaves = image.isAudit() ? lastOfBundle
          : model.hasExit(stage) && point.policy().leaves(stage, ensemble, lastOfBundle);
      boolean audited = leaves && !lastOfBundle && !image.isAudit() && audit.sampled(image.origin().id());
      // only an image that goes on (or its audit copy) needs its slice of the output: most leave without one
      float[] tensor = outputs == null || leaves && !audited ? new float[0]
          : Arrays.copyOfRange(outputs, i * perImage, (i + 1) * perImage);
      StagedImage next = image.after(tensor, outputShape, ensemble, timing);
      if (!leaves) {
        goingOn.add(next);
      } else if (image.isAudit()) {
        leaving.add(next);
      } else {
        leaving.add(next.decided(point.tag()));
        if (audited) {
          goingOn.add(next.audited(new EarlyAnswer(stage, ensemble.answer())));
        }
      }
    }
    return new Outcome(leaving, goingOn, nanos, THREADS.getCurrentThreadCpuTime() - cpuStart);
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
