package io.aepstreams.model.backbone;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class BackboneSpecTest {
  @Test
  void labelNamesTheWidthMultiplierOnlyWhenItIsNotOne() {
    assertEquals("vgg16", new BackboneSpec("vgg16", 3, 64, 64, 10, 1.0).label());
    assertEquals("vgg16-x0.5", new BackboneSpec("vgg16", 3, 64, 64, 10, 0.5).label());
    assertEquals("mobilenetv3-small-x0.25", new BackboneSpec("mobilenetv3-small", 3, 64, 64, 10, 0.25).label());
    assertEquals("resnet50-x2", new BackboneSpec("resnet50", 3, 64, 64, 10, 2.0).label());
  }
}
