package io.aepstreams.streams.topology;

import java.util.List;

/**
 * Images that run through a stage in one forward pass. A stage passes on a smaller batch when some images leave
 * at its exit; the images are never reordered.
 */
record Batch(List<StagedImage> images) {
  Batch {
    images = List.copyOf(images);
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
