package io.aepstreams.model.ensemble;

/**
 * How the exits' loss weights a and output weights b are set (docs/design.md §1). With n exits and the ramp
 * r_i = i / (n(n+1)/2) rounded to 4 decimals: UNIF a=b=1/n; ASC a=b=r; DESC a=b=reverse(r); MIX a=reverse(r),
 * b=r. SINGLE is the traditional single-output network: only the last exit, a=b=1.
 */
public enum WeightScheme {
  SINGLE,
  UNIF,
  ASC,
  DESC,
  MIX,
  /** Weights given explicitly (see {@link ExitWeights#custom}). */
  CUSTOM
}
