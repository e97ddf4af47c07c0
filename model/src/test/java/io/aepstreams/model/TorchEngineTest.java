package io.aepstreams.model;

import static org.junit.jupiter.api.Assertions.assertFalse;

import org.junit.jupiter.api.Test;

class TorchEngineTest {
  @Test
  void startingTheEngineSwitchesLibtorchsNnpackFlagOff() {
    TorchEngine.start();
    assertFalse(TorchEngine.nnpackEnabled(), "libtorch's own flag, read back");
  }
}
