package io.aepstreams.model.backbone;

import java.math.BigDecimal;

/**
 * Enough to rebuild a backbone's blocks: its name, the input it takes, the classes it tells apart and the width
 * multiplier that scales every layer's channels. Stored in the model bundle's manifest.
 */
public record BackboneSpec(String name, int inChannels, int height, int width, int classes, double widthMultiplier) {
  public BackboneSpec {
    if (inChannels < 1 || height < 1 || width < 1) {
      throw new IllegalArgumentException("input must be at least 1x1x1, got " + inChannels + "x" + height + "x" + width);
    }
    if (classes < 2) {
      throw new IllegalArgumentException("a classifier needs at least 2 classes, got " + classes);
    }
    if (!(widthMultiplier > 0)) {
      throw new IllegalArgumentException("width multiplier must be positive, got " + widthMultiplier);
    }
  }

  /**
   * The backbone's name, with the width multiplier when it is not 1 ({@code vgg16-x0.5}): what a bundle of it is
   * called, so that a half-width VGG-16 is never read as the full one.
   */
  public String label() {
    return widthMultiplier == 1.0 ? name
        : name + "-x" + BigDecimal.valueOf(widthMultiplier).stripTrailingZeros().toPlainString();
  }

  /** {@code channels} scaled by the width multiplier, at least 1. */
  public int scale(int channels) {
    return Math.max(1, (int) Math.round(channels * widthMultiplier));
  }
}
