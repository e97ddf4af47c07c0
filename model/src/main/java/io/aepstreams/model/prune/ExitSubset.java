package io.aepstreams.model.prune;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** A non-empty set of exits, by 1-based stage number, ascending. The network is cut after the deepest. */
public record ExitSubset(List<Integer> stages) {
  public ExitSubset {
    if (stages.isEmpty()) {
      throw new IllegalArgumentException("a subset keeps at least one exit");
    }
    stages = List.copyOf(stages);
  }

  /** Every non-empty subset of {@code exits}, by bit mask order (2^n - 1 of them). */
  public static List<ExitSubset> all(List<Integer> exits) {
    List<ExitSubset> subsets = new ArrayList<>();
    for (int mask = 1; mask < (1 << exits.size()); mask++) {
      List<Integer> stages = new ArrayList<>();
      for (int i = 0; i < exits.size(); i++) {
        if ((mask & (1 << i)) != 0) {
          stages.add(exits.get(i));
        }
      }
      subsets.add(new ExitSubset(stages));
    }
    return subsets;
  }

  public int deepest() {
    return stages.get(stages.size() - 1);
  }

  /** "{2,4}". */
  @Override
  public String toString() {
    return stages.stream().map(String::valueOf).collect(Collectors.joining(",", "{", "}"));
  }
}
