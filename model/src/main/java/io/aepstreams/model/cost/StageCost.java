package io.aepstreams.model.cost;

import ai.djl.ndarray.types.Shape;

/** One stage's cost and its exit head's (ZERO when the head is not kept), with the shapes around the stage. */
public record StageCost(int stage, Shape inputShape, Shape outputShape, Cost block, Cost head) {
  public Cost total() {
    return block.plus(head);
  }
}
