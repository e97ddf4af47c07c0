package io.aepstreams.streams.topology;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.aepstreams.model.bundle.Manifest;
import io.aepstreams.model.bundle.StagedModel;
import io.aepstreams.model.ensemble.Ensemble;
import io.aepstreams.model.policy.ExitPolicy;
import io.aepstreams.records.Classification;
import io.aepstreams.records.PartialInference;
import io.aepstreams.records.StageTiming;
import io.aepstreams.records.Tensor;
import io.aepstreams.records.TensorDType;
import io.aepstreams.streams.runtime.PipelineMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Runs one stage and, where one is kept, its exit head; adds the exit's logits to the partial ensemble and lets
 * the image out (child {@link #exitChild}) when the exit policy says so, or when this is the bundle's last stage.
 * Otherwise the image goes on: to the next stage's processor in this instance, or (the last stage here, not the
 * bundle's) to the hand-off topic of the next instance.
 */
final class StageProcessor extends ContextualProcessor<byte[], InFlight, byte[], Object> {
  private final int stage;
  private final StagedModel model;
  private final ExitPolicy policy;
  private final String exitChild;
  private final String nextChild;
  private final String handoffChild;
  private final String instance;
  private final boolean lastOfBundle;
  private final double b;
  private final NDManager manager;
  private final Counter exited;
  private final Counter handedOff;
  private final Timer compute;

  /**
   * @param nextChild the next stage's processor here, or null
   * @param handoffChild the sink to the next instance's topic, or null
   */
  StageProcessor(int stage, StagedModel model, ExitPolicy policy, String exitChild, String nextChild,
      String handoffChild, String instance, NDManager manager) {
    this.stage = stage;
    this.model = model;
    this.policy = policy;
    this.exitChild = exitChild;
    this.nextChild = nextChild;
    this.handoffChild = handoffChild;
    this.instance = instance;
    this.manager = manager;
    Manifest manifest = model.manifest();
    this.lastOfBundle = stage == manifest.stages().size();
    Manifest.Exit exit = manifest.exit(stage);
    this.b = exit == null ? 0 : exit.b();
    this.exited = PipelineMetrics.classifications(stage);
    this.handedOff = PipelineMetrics.handoffs(stage + 1);
    this.compute = PipelineMetrics.stageTime(stage);
  }

  @Override
  public void process(Record<byte[], InFlight> record) {
    InFlight image = record.value();
    long start = System.nanoTime();
    boolean leaves;
    // One sub-manager per image, closed after it: the model's manager would otherwise keep every tensor.
    try (NDManager scope = manager.newSubManager()) {
      NDArray input = scope.create(image.tensor, new Shape(prepend(image.shape)));
      NDArray output = model.runStage(stage, input);
      if (model.hasExit(stage)) {
        image.addExit(stage, model.runExit(stage, output).toFloatArray(), b);
        image.confidence = policy.confidence().of(image.scores, image.bSum);
      }
      leaves = lastOfBundle || (model.hasExit(stage) && policy.exits(stage, image.confidence));
      if (!leaves) {
        image.tensor = output.toFloatArray();
        long[] dims = output.getShape().getShape();
        image.shape = Arrays.copyOfRange(dims, 1, dims.length);
      }
    }
    long nanos = System.nanoTime() - start;
    compute.record(nanos, TimeUnit.NANOSECONDS);
    image.timings.add(new StageTiming(stage, nanos / 1_000, instance));
    if (leaves) {
      exited.increment();
      context().forward(record.withValue(classification(image)), exitChild);
    } else if (nextChild != null) {
      context().forward(record, nextChild);
    } else {
      handedOff.increment();
      context().forward(record.withValue(handoff(image)), handoffChild);
    }
  }

  private static long[] prepend(long[] shape) {
    long[] out = new long[shape.length + 1];
    out[0] = 1;
    System.arraycopy(shape, 0, out, 1, shape.length);
    return out;
  }

  private Classification classification(InFlight image) {
    Manifest manifest = model.manifest();
    int best = Ensemble.argmax(image.scores);
    float[] probabilities = Ensemble.softmax(image.scores, image.bSum);
    List<Float> probabilityList = new ArrayList<>(probabilities.length);
    for (float p : probabilities) {
      probabilityList.add(p);
    }
    return Classification.newBuilder()
        .setId(image.id)
        .setClassIndex(best)
        .setClassName(manifest.classNames().get(best))
        .setConfidence(image.confidence)
        .setExitStage(stage)
        .setModelName(manifest.name())
        .setModelVersion(manifest.version())
        .setStageTimings(image.timings)
        .setProbabilities(probabilityList)
        .setLabel(image.label)
        .setSentAt(image.sentAt)
        .setDecidedAt(Instant.now())
        .setSource(image.source)
        .setAttributes(image.attributes)
        .build();
  }

  private PartialInference handoff(InFlight image) {
    Manifest manifest = model.manifest();
    ByteBuffer bytes = ByteBuffer.allocate(image.tensor.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    bytes.asFloatBuffer().put(image.tensor);
    List<Integer> shape = new ArrayList<>();
    for (long d : image.shape) {
      shape.add((int) d);
    }
    List<Float> scores = new ArrayList<>();
    if (image.scores != null) {
      for (float s : image.scores) {
        scores.add(s);
      }
    }
    return PartialInference.newBuilder()
        .setId(image.id)
        .setModelName(manifest.name())
        .setModelVersion(manifest.version())
        .setNextStage(stage + 1)
        .setTensor(new Tensor(shape, TensorDType.FLOAT32, bytes))
        .setEnsembleScores(scores)
        .setExitsRun(image.exitsRun)
        .setStageTimings(image.timings)
        .setLabel(image.label)
        .setSentAt(image.sentAt)
        .setOriginalKey(image.originalKey == null ? null : ByteBuffer.wrap(image.originalKey))
        .setSource(image.source)
        .setAttributes(image.attributes)
        .build();
  }
}
