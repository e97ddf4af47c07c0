package io.aepstreams.demo.bench;

import ai.djl.ndarray.NDManager;
import io.aepstreams.model.bundle.Manifest;
import io.aepstreams.model.bundle.StagedModel;
import io.aepstreams.model.data.ImageSet;
import io.aepstreams.model.policy.ExitPolicy;
import io.aepstreams.records.ImageRecord;
import io.aepstreams.streams.config.DecodeLimits;
import io.aepstreams.streams.decode.ImageDecoder;
import io.aepstreams.streams.produce.ImageProducer;
import io.aepstreams.streams.topology.StagedImage;
import io.aepstreams.streams.topology.StageRunner;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The model's own limit: the bundle's stages in a plain loop over batches of decoded images, no Kafka, each stage
 * run by the same {@link StageRunner} the stage processors use, so the exit rule and the shrinking batches are the
 * pipeline's own.
 */
final class ModelLoop {
  /**
   * What one pass over the images gave: throughput, process CPU per image, accuracy, MACs per image, the share of
   * images that left at each stage, and each stage's wall-clock milliseconds per image that entered it (its forward
   * pass, exit and ensemble, at the batches it ran: full ones, or thinned by the exits before it).
   */
  record Pass(double imagesPerSecond, double cpuMillisPerImage, double accuracy, double macsPerImage,
      Map<Integer, Double> exitShares, Map<Integer, Double> stageMillisPerImage) {}

  private final StagedModel model;
  private final NDManager manager;
  private final List<StagedImage> inputs;

  /** Decodes the first {@code count} images of {@code images} (cycling), as the pipeline's decoder would. */
  ModelLoop(StagedModel model, NDManager manager, ImageSet images, int count) {
    this.model = model;
    this.manager = manager;
    Manifest manifest = model.manifest();
    ImageDecoder decoder = new ImageDecoder(manifest.input(), DecodeLimits.DEFAULT);
    inputs = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      ImageRecord record = ImageProducer.record(images, i % images.size(), "bench-" + i);
      inputs.add(StagedImage.decoded(record, decoder, manifest.input()));
    }
  }

  /** Every image through the stages in batches of {@code batch}, leaving where {@code policy} says. */
  Pass run(ExitPolicy policy, int batch) {
    return run(policy, batch, 1);
  }

  /**
   * As {@link #run(ExitPolicy, int)}, with the images shared out between {@code loops} threads that run at once,
   * each its own loop: the model's own limit when a pipeline instance runs that many stream threads.
   */
  Pass run(ExitPolicy policy, int batch, int loops) {
    long start = System.nanoTime();
    long cpu = CpuTime.process();
    List<Tally> tallies = new ArrayList<>();
    if (loops == 1) {
      tallies.add(loop(policy, batch, inputs));
    } else {
      List<Thread> threads = new ArrayList<>();
      List<RuntimeException> failures = java.util.Collections.synchronizedList(new ArrayList<>());
      int share = (inputs.size() + loops - 1) / loops;
      for (int from = 0; from < inputs.size(); from += share) {
        List<StagedImage> slice = inputs.subList(from, Math.min(inputs.size(), from + share));
        Thread thread = new Thread(() -> {
          try {
            Tally tally = loop(policy, batch, slice);
            synchronized (tallies) {
              tallies.add(tally);
            }
          } catch (RuntimeException e) {
            failures.add(e);
          }
        }, "bench-model-loop-" + threads.size());
        threads.add(thread);
        thread.start();
      }
      for (Thread thread : threads) {
        try {
          thread.join();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted", e);
        }
      }
      if (!failures.isEmpty()) {
        throw failures.get(0);
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    double cpuMillis = (CpuTime.process() - cpu) / 1e6;
    int right = 0;
    int labelled = 0;
    double macs = 0;
    Map<Integer, Integer> left = new java.util.TreeMap<>();
    Map<Integer, Long> stageNanos = new java.util.TreeMap<>();
    Map<Integer, Integer> entered = new java.util.TreeMap<>();
    for (Tally tally : tallies) {
      right += tally.right;
      labelled += tally.labelled;
      macs += tally.macs;
      tally.left.forEach((stage, n) -> left.merge(stage, n, Integer::sum));
      tally.stageNanos.forEach((stage, n) -> stageNanos.merge(stage, n, Long::sum));
      tally.entered.forEach((stage, n) -> entered.merge(stage, n, Integer::sum));
    }
    Map<Integer, Double> shares = new java.util.TreeMap<>();
    left.forEach((stage, n) -> shares.put(stage, (double) n / inputs.size()));
    Map<Integer, Double> stageMillis = new java.util.TreeMap<>();
    stageNanos.forEach((stage, nanos) -> stageMillis.put(stage, nanos / 1e6 / entered.get(stage)));
    return new Pass(inputs.size() / seconds, cpuMillis / inputs.size(), labelled == 0 ? Double.NaN
        : (double) right / labelled, macs / inputs.size(), shares, stageMillis);
  }

  /**
   * The gain that the stages' own times predict for early exits: the time of every stage per image, against the
   * time of the stages an image reaches with the exits ({@code exitShares}: the share of all images leaving at each
   * stage). Unlike the MACs' prediction it counts what a stage costs on this machine, where a stage's share of the
   * time need not be its share of the MACs (a wide early stage on small images is held back by memory, not
   * arithmetic). From every stage's times at full batches, it is the most early exits can give at that batch size.
   */
  static double stageTimePredictedGain(Map<Integer, Double> millisEveryStage, Map<Integer, Double> exitShares) {
    double all = 0;
    double withExits = 0;
    double reached = 1;
    for (Map.Entry<Integer, Double> stage : new java.util.TreeMap<>(millisEveryStage).entrySet()) {
      all += stage.getValue();
      withExits += reached * stage.getValue();
      reached -= exitShares.getOrDefault(stage.getKey(), 0.0);
    }
    return all / withExits - 1;
  }

  /** What one loop counted: right answers among the labelled images, MACs spent, images leaving per stage. */
  private static final class Tally {
    int right;
    int labelled;
    double macs;
    final Map<Integer, Integer> left = new java.util.TreeMap<>();
    final Map<Integer, Long> stageNanos = new java.util.TreeMap<>();
    final Map<Integer, Integer> entered = new java.util.TreeMap<>();
  }

  private Tally loop(ExitPolicy policy, int batch, List<StagedImage> images) {
    List<StageRunner> stages = new ArrayList<>();
    for (int stage = model.first(); stage <= model.last(); stage++) {
      stages.add(new StageRunner(stage, model, policy, "bench"));
    }
    Manifest manifest = model.manifest();
    Tally tally = new Tally();
    for (int from = 0; from < images.size(); from += batch) {
      List<StagedImage> current = images.subList(from, Math.min(images.size(), from + batch));
      for (StageRunner stage : stages) {
        long start = System.nanoTime();
        StageRunner.Outcome outcome = stage.run(current, manager);
        tally.stageNanos.merge(stage.stage(), System.nanoTime() - start, Long::sum);
        tally.entered.merge(stage.stage(), current.size(), Integer::sum);
        for (StagedImage image : outcome.leaving()) {
          Integer label = image.origin().label();
          if (label != null) {
            tally.labelled++;
            tally.right += image.ensemble().answer() == label ? 1 : 0;
          }
          tally.macs += manifest.macsUpTo(stage.stage());
          tally.left.merge(stage.stage(), 1, Integer::sum);
        }
        current = outcome.goingOn();
        if (current.isEmpty()) {
          break;
        }
      }
    }
    return tally;
  }
}
