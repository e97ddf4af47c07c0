package io.aepstreams.model;

import ai.djl.Device;
import ai.djl.engine.Engine;

/**
 * Where a network runs: {@code cpu} (the default, and the only one the natives from the package registry serve) or
 * {@code gpu} / {@code gpu:N}, which need PyTorch's CUDA natives (see the README's GPU section).
 */
public final class DeviceSpec {
  private DeviceSpec() {}

  /** Whether {@code name} asks for a GPU; unlike {@link #parse}, it does not load the engine. */
  public static boolean isGpu(String name) {
    return normalized(name).startsWith("gpu");
  }

  private static String normalized(String name) {
    return name == null ? "cpu" : name.strip().toLowerCase(java.util.Locale.ROOT);
  }

  /** The DJL device for {@code name}; a clear error when it is malformed or no such GPU is visible. */
  public static Device parse(String name) {
    String text = normalized(name);
    if (text.equals("cpu")) {
      return Device.cpu();
    }
    if (!text.matches("gpu(:\\d+)?")) {
      throw new IllegalArgumentException("device must be cpu, gpu or gpu:N, got '" + name + "'");
    }
    int id = text.contains(":") ? Integer.parseInt(text.substring(4)) : 0;
    int gpus = Engine.getInstance().getGpuCount();
    if (id >= gpus) {
      throw new IllegalArgumentException("device " + text + " asked for, but PyTorch sees " + gpus + " GPU(s): "
          + (gpus == 0 ? "the CPU natives are loaded; a GPU needs PyTorch's CUDA natives (README, 'GPU')"
              : "use gpu:0..gpu:" + (gpus - 1)));
    }
    return Device.gpu(id);
  }
}
