package io.aepstreams.demo.bench;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class BrokerRunsTest {
  /** A maximum measured with images arriving counts only where the pipeline, not the sender, set the pace. */
  @Test
  void aPipelineFellBehindWhenMoreThanItsBatchesAndAMomentOfImagesWait() {
    // batch 32 on 2 partitions at 1,000 img/s: 256 in batches and 50 in flight are keeping up
    assertFalse(BrokerRuns.fellBehind(10_000, 10_000 - 306, 32, 2, 1000));
    assertTrue(BrokerRuns.fellBehind(10_000, 10_000 - 307, 32, 2, 1000));
    assertTrue(BrokerRuns.fellBehind(10_000, 6_000, 1, 2, 300), "4,000 waiting at batch 1");
  }
}
