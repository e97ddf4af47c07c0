package io.aepstreams.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import org.junit.jupiter.api.Test;

class DeviceSpecTest {

  @Test
  void cpuIsTheDefault() {
    assertEquals(Device.cpu(), DeviceSpec.parse("cpu"));
    assertEquals(Device.cpu(), DeviceSpec.parse(" CPU "));
    assertEquals(Device.cpu(), DeviceSpec.parse(null));
  }

  @Test
  void aGpuIsToldApartWithoutTheEngine() {
    assertTrue(DeviceSpec.isGpu(" GPU:1 "));
    assertTrue(DeviceSpec.isGpu("gpu"));
    assertEquals(false, DeviceSpec.isGpu("cpu"));
    assertEquals(false, DeviceSpec.isGpu(null));
  }

  @Test
  void malformedNamesAreRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DeviceSpec.parse("tpu"));
    assertEquals("device must be cpu, gpu or gpu:N, got 'tpu'", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> DeviceSpec.parse("gpu:x"));
  }

  @Test
  void aGpuBeyondTheVisibleOnesIsRefusedWithTheReason() {
    int gpus = Engine.getInstance().getGpuCount();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> DeviceSpec.parse("gpu:" + gpus));
    assertTrue(e.getMessage().contains("PyTorch sees " + gpus + " GPU(s)"), e.getMessage());
  }
}
