package io.aepstreams.streams.dlq;

import java.util.List;

/**
 * Thrown by a processor after it has sent on every image of a batch that it could: the images that failed, each
 * with its own record and reason. The processing handler dead-letters each one ({@link DeadLetterHandlers.Processing})
 * and the task goes on, so that no image of the batch is left without an answer or a dead letter.
 */
public final class FailedImagesException extends RuntimeException {
  private final List<FailedImage> images;

  public FailedImagesException(List<FailedImage> images) {
    super(images.size() + " image(s) failed: " + images.stream().limit(3)
        .map(i -> "'" + i.imageId() + "' " + i.reason() + " (" + i.error() + ")").toList()
        + (images.size() > 3 ? " and more" : ""));
    this.images = List.copyOf(images);
  }

  public List<FailedImage> images() {
    return images;
  }

  /** Throws the failures of {@code images}, if any: called once the rest of a batch has been sent on. */
  public static void throwIfAny(List<FailedImage> images) {
    if (!images.isEmpty()) {
      throw new FailedImagesException(images);
    }
  }
}
