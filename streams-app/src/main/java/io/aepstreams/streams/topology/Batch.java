package io.aepstreams.streams.topology;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Images that run through a stage in one forward pass. A stage passes on a smaller batch when some images leave
 * at its exit; the images are never reordered.
 *
 * <p>{@code storeKeys}: where the range's store of waiting images still holds this batch's images (the collector
 * that released the batch took them out of its wait, not out of the store). The stage forgets them once what the
 * pass made of them has gone on, in the same transaction: until then a commit finds them stored, and a crash runs
 * them again. Empty for a batch whose images are not stored.
 */
record Batch(List<StagedImage> images, List<Long> storeKeys) {
  Batch {
    images = List.copyOf(images);
    // List.copyOf takes no nulls: an image held in memory only has none
    storeKeys = List.copyOf(storeKeys.stream().filter(Objects::nonNull).toList());
  }

  /** A batch none of whose images is stored. */
  Batch(List<StagedImage> images) {
    this(images, List.of());
  }

  /**
   * The batches of at most {@code maxSize} that {@code images} make, in order; {@code keys}: where each is stored,
   * one for each image (null: not stored).
   */
  static List<Batch> split(List<StagedImage> images, List<Long> keys, int maxSize) {
    if (keys.size() != images.size()) {
      throw new IllegalArgumentException(images.size() + " images with " + keys.size() + " store keys");
    }
    List<Batch> batches = new ArrayList<>();
    for (int from = 0; from < images.size(); from += maxSize) {
      int to = Math.min(images.size(), from + maxSize);
      batches.add(new Batch(images.subList(from, to), keys.subList(from, to)));
    }
    return batches;
  }

  int size() {
    return images.size();
  }

  boolean isEmpty() {
    return images.isEmpty();
  }

  /** The record timestamp a batch travels with inside the topology: its newest image's. */
  long timestamp() {
    return images.stream().mapToLong(i -> i.origin().timestamp()).max().orElse(0);
  }
}
