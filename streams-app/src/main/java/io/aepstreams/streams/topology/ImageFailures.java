package io.aepstreams.streams.topology;

import io.aepstreams.streams.decode.RejectedRecordException;
import io.aepstreams.streams.decode.RejectedRecordException.Reason;
import io.aepstreams.streams.dlq.DeadLetterHandlers;
import io.aepstreams.streams.dlq.FailedImage;
import io.aepstreams.streams.dlq.FailedImagesException;
import io.aepstreams.streams.runtime.PipelineMetrics;
import java.util.ArrayList;
import java.util.List;

/**
 * The failures of one batch, judged image by image: an infrastructure failure is rethrown (the task fails and the
 * whole batch is done again), any other is the image's, and it is dead-lettered on its own once the rest of the
 * batch has gone on ({@link #throwIfAny}).
 */
final class ImageFailures {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ImageFailures.class);
  private final String inputTopic;
  private final List<FailedImage> failed = new ArrayList<>();

  /** {@code inputTopic}: where the instance read its images from (named by their dead letters). */
  ImageFailures(String inputTopic) {
    this.inputTopic = inputTopic;
  }

  /** Takes {@code failure} as {@code image}'s own, with {@code reason} unless it says its own; or rethrows it. */
  void judge(RuntimeException failure, StagedImage image, Reason reason) {
    if (DeadLetterHandlers.notTheRecordsFault(failure) != null) {
      throw failure;
    }
    if (image.isAudit()) {
      // the image has its answer already: an audit copy that fails is counted, never a dead letter
      PipelineMetrics.auditFailed(image.audit().getExitStage());
      LOG.warn("audit copy of image '{}' failed, not audited: {}", image.origin().id(), failure.toString());
      return;
    }
    Reason why = failure instanceof RejectedRecordException rejected ? rejected.reason() : reason;
    failed.add(image.origin().failed(why, failure, inputTopic));
  }

  /**
   * What a processor that reads one record at a time throws for {@code failure}: infrastructure as it is, anything
   * else as that record's own fault (PROCESSING_FAILED, unless it gave its own reason).
   */
  static RuntimeException ofTheRecord(RuntimeException failure) {
    if (failure instanceof RejectedRecordException || DeadLetterHandlers.notTheRecordsFault(failure) != null) {
      return failure;
    }
    return new RejectedRecordException(Reason.PROCESSING_FAILED, String.valueOf(failure), failure);
  }

  /**
   * Runs {@code send} (a forward), adding the images that failed downstream of it to {@code into} instead of
   * throwing them: one batch's failed images must not stop the next batch, or what is left of their own, from going
   * on. Thrown together later ({@link FailedImagesException#throwIfAny}).
   */
  static void collecting(List<FailedImage> into, Runnable send) {
    try {
      send.run();
    } catch (FailedImagesException downstream) {
      into.addAll(downstream.images());
    }
  }

  /** The images judged to have failed so far. */
  List<FailedImage> images() {
    return List.copyOf(failed);
  }

  void throwIfAny() {
    FailedImagesException.throwIfAny(failed);
  }
}
