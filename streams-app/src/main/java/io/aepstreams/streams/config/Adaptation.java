package io.aepstreams.streams.config;

import java.util.OptionalLong;

/**
 * How exits adapt while the stream runs: the load controller's objective and ceiling, and the share of early
 * answers audited against the full ensemble.
 *
 * @param latencyMs the latency objective (aep.slo.latency-ms): when images would wait longer than a share of it,
 *     the controller steps to cheaper operating points; empty: no controller
 * @param maxAccuracyLossPoints the ceiling (aep.slo.max-accuracy-loss): the controller never sets a point whose
 *     budget is larger, in points of accuracy below the full ensemble
 * @param intervalMs how often the controller looks at the load (aep.slo.interval-ms)
 * @param auditRate the share of images leaving early that also run to the last kept exit (aep.audit.rate)
 */
public record Adaptation(OptionalLong latencyMs, double maxAccuracyLossPoints, long intervalMs, double auditRate) {
  public static final Adaptation DEFAULT = new Adaptation(OptionalLong.empty(), 1.0, 1_000, 0);

  public Adaptation {
    if (!(maxAccuracyLossPoints >= 0) || Double.isInfinite(maxAccuracyLossPoints)) {
      throw new IllegalArgumentException(AppConfig.SLO_MAX_ACCURACY_LOSS + " must be zero or more points, got "
          + maxAccuracyLossPoints);
    }
    if (!(auditRate >= 0 && auditRate <= 1)) {
      throw new IllegalArgumentException(AppConfig.AUDIT_RATE + " must be a share from 0 to 1, got " + auditRate);
    }
  }

  public boolean adapts() {
    return latencyMs.isPresent();
  }
}
