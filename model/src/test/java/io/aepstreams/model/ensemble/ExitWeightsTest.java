package io.aepstreams.model.ensemble;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class ExitWeightsTest {

  @Test
  void rampIsRoundedToFourDecimals() {
    assertEquals(List.of(0.3333, 0.6667), ExitWeights.ramp(2));
    assertEquals(List.of(0.1667, 0.3333, 0.5), ExitWeights.ramp(3));
    assertEquals(List.of(0.1, 0.2, 0.3, 0.4), ExitWeights.ramp(4));
    assertEquals(List.of(0.0667, 0.1333, 0.2, 0.2667, 0.3333), ExitWeights.ramp(5));
  }

  @Test
  void schemesForTwoToFiveExits() {
    assertEquals(List.of(0.5, 0.5), ExitWeights.of(WeightScheme.UNIF, 2).a());
    assertEquals(List.of(0.25, 0.25, 0.25, 0.25), ExitWeights.of(WeightScheme.UNIF, 4).b());
    assertEquals(List.of(0.2, 0.2, 0.2, 0.2, 0.2), ExitWeights.of(WeightScheme.UNIF, 5).a());
    assertEquals(List.of(1.0 / 3, 1.0 / 3, 1.0 / 3), ExitWeights.of(WeightScheme.UNIF, 3).a());

    ExitWeights asc = ExitWeights.of(WeightScheme.ASC, 3);
    assertEquals(List.of(0.1667, 0.3333, 0.5), asc.a());
    assertEquals(List.of(0.1667, 0.3333, 0.5), asc.b());

    ExitWeights desc = ExitWeights.of(WeightScheme.DESC, 4);
    assertEquals(List.of(0.4, 0.3, 0.2, 0.1), desc.a());
    assertEquals(List.of(0.4, 0.3, 0.2, 0.1), desc.b());

    ExitWeights mix = ExitWeights.of(WeightScheme.MIX, 5);
    assertEquals(List.of(0.3333, 0.2667, 0.2, 0.1333, 0.0667), mix.a());
    assertEquals(List.of(0.0667, 0.1333, 0.2, 0.2667, 0.3333), mix.b());

    ExitWeights mix2 = ExitWeights.of(WeightScheme.MIX, 2);
    assertEquals(List.of(0.6667, 0.3333), mix2.a());
    assertEquals(List.of(0.3333, 0.6667), mix2.b());
  }

  @Test
  void singleIsOneExitWithWeightOne() {
    ExitWeights single = ExitWeights.of(WeightScheme.SINGLE, 4);
    assertEquals(List.of(1.0), single.a());
    assertEquals(List.of(1.0), single.b());
  }

  @Test
  void customWeightsMustBePositiveAndPaired() {
    assertEquals(List.of(2.0, 1.0), ExitWeights.custom(List.of(2.0, 1.0), List.of(1.0, 1.0)).a());
    assertThrows(IllegalArgumentException.class, () -> ExitWeights.custom(List.of(1.0), List.of(1.0, 1.0)));
    assertThrows(IllegalArgumentException.class, () -> ExitWeights.custom(List.of(0.0, 1.0), List.of(1.0, 1.0)));
    assertThrows(IllegalArgumentException.class, () -> ExitWeights.of(WeightScheme.CUSTOM, 4));
  }

  @Test
  void selectKeepsWeightsWithoutRenormalising() {
    ExitWeights picked = ExitWeights.of(WeightScheme.MIX, 4).select(List.of(1, 3));
    assertEquals(List.of(0.3, 0.1), picked.a());
    assertEquals(List.of(0.2, 0.4), picked.b());
  }
}
