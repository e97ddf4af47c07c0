package io.aepstreams.model.cost;

/** Trainable parameters and multiply-accumulates for one image. */
public record Cost(long params, long macs) {
  public static final Cost ZERO = new Cost(0, 0);

  public Cost plus(Cost other) {
    return new Cost(params + other.params, macs + other.macs);
  }
}
