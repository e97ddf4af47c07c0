package io.aepstreams.streams.redeploy;

import io.aepstreams.streams.config.StageRange;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * How a model's stages are split between instances: stage ranges that cover stages 1 to N once each, in order
 * ("1-4" for one instance, "1,2-4" for an edge and a deep instance). Each range is a consumer group of its own.
 */
public record Deployment(List<StageRange> ranges) {
  public Deployment {
    ranges = List.copyOf(ranges);
    if (ranges.isEmpty() || ranges.get(0).first() != 1) {
      throw new IllegalArgumentException("a deployment's stage ranges start at stage 1, got " + ranges);
    }
    for (int i = 1; i < ranges.size(); i++) {
      if (ranges.get(i).first() != ranges.get(i - 1).last() + 1) {
        throw new IllegalArgumentException("a deployment's stage ranges follow each other with no gap or overlap, "
            + "got " + ranges);
      }
    }
  }

  /** "1,2-4": ranges separated by commas. */
  public static Deployment parse(String text) {
    List<StageRange> ranges = new ArrayList<>();
    for (String part : text.split(",")) {
      if (!part.isBlank()) {
        ranges.add(StageRange.parse(part));
      }
    }
    return new Deployment(ranges);
  }

  /** The last stage this deployment runs: the model's last, for a deployment of that model. */
  public int lastStage() {
    return ranges.get(ranges.size() - 1).last();
  }

  /** The range that starts at {@code stage}, if one does. */
  public java.util.Optional<StageRange> startingAt(int stage) {
    return ranges.stream().filter(r -> r.first() == stage).findFirst();
  }

  @Override
  public String toString() {
    return String.join(",", Arrays.stream(ranges.toArray(StageRange[]::new)).map(StageRange::toString).toList());
  }
}
