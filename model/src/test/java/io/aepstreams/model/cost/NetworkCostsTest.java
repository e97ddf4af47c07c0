package io.aepstreams.model.cost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.aepstreams.model.backbone.AepNetwork;
import io.aepstreams.model.backbone.BackboneSpec;
import io.aepstreams.model.backbone.Backbones;
import java.util.List;
import org.junit.jupiter.api.Test;

class NetworkCostsTest {

  private static List<StageCost> costs(String backbone, int channels, int size, int classes) {
    BackboneSpec spec = new BackboneSpec(backbone, channels, size, size, classes, 1.0);
    AepNetwork network = new AepNetwork(Backbones.build(spec), List.of(1, 2, 3, 4));
    try (NDManager manager = NDManager.newBaseManager()) {
      return NetworkCosts.of(network, new Shape(channels, size, size), manager);
    }
  }

  @Test
  void vggMiniMatchesHandCountedLayers() {
    List<StageCost> costs = costs("vgg-mini", 1, 28, 10);
    // conv weights (no bias) + BatchNorm gamma and beta
    assertEquals(new Cost(1 * 32 * 9 + 64 + 32 * 32 * 9 + 64, 28 * 28 * 32 * 9 + 28 * 28 * 32 * 32 * 9),
        costs.get(0).block());
    assertEquals(new Cost(32 * 64 * 9 + 128 + 64 * 64 * 9 + 128, 14 * 14 * 64 * (32 * 9 + 64 * 9)),
        costs.get(1).block());
    assertEquals(new Cost(64 * 128 * 9 + 256 + 128 * 128 * 9 + 256, 7 * 7 * 128 * (64 * 9 + 128 * 9)),
        costs.get(2).block());
    assertEquals(new Cost(128 * 256 * 9 + 512, 3 * 3 * 256 * 128 * 9), costs.get(3).block());
    int[] widths = {32, 64, 128, 256};
    for (int s = 0; s < 4; s++) {
      assertEquals(new Cost(widths[s] * 10 + 10, widths[s] * 10), costs.get(s).head(), "head " + (s + 1));
    }
    assertEquals(new Shape(32, 14, 14), costs.get(0).outputShape());
    assertEquals(new Shape(256, 3, 3), costs.get(3).outputShape());
  }

  /** The backbone plus its last head is the reference network: its parameter count must be torchvision's. */
  private static long referenceParams(List<StageCost> costs) {
    long params = costs.get(3).head().params();
    for (StageCost cost : costs) {
      params += cost.block().params();
    }
    return params;
  }

  private static long referenceMacs(List<StageCost> costs) {
    long macs = costs.get(3).head().macs();
    for (StageCost cost : costs) {
      macs += cost.block().macs();
    }
    return macs;
  }

  @Test
  void resnet50MatchesTorchvision() {
    List<StageCost> costs = costs("resnet50", 3, 224, 1000);
    assertEquals(25_557_032L, referenceParams(costs));
    // torchvision publishes 4.09 GFLOPS (multiply-accumulates) at 224x224.
    assertEquals(4.09e9, referenceMacs(costs), 0.01e9);
    assertEquals(List.of(256L, 512L, 1024L, 2048L),
        costs.stream().map(c -> c.outputShape().get(0)).toList());
  }

  @Test
  void mobileNetV3SmallMatchesTorchvision() {
    List<StageCost> costs = costs("mobilenetv3-small", 3, 224, 1000);
    assertEquals(2_542_856L, referenceParams(costs));
    assertEquals(0.057e9, referenceMacs(costs), 0.002e9);
    assertEquals(List.of(24L, 40L, 48L, 96L), costs.stream().map(c -> c.outputShape().get(0)).toList());
  }

  @Test
  void vgg16WithGapClassifierMatchesTorchvisionFeaturesPlusLinear() {
    List<StageCost> costs = costs("vgg16", 3, 224, 1000);
    // torchvision vgg16: 138,357,544 parameters, of which features hold 14,714,688; the paper's GAP + Linear(512)
    // classifier replaces the 123,642,856 of the FC classifier with 513,000.
    assertEquals(14_714_688L + 512L * 1000 + 1000, referenceParams(costs));
    assertEquals(List.of(128L, 256L, 512L, 512L), costs.stream().map(c -> c.outputShape().get(0)).toList());
    assertTrue(referenceMacs(costs) > 15.3e9 && referenceMacs(costs) < 15.4e9, "" + referenceMacs(costs));
  }

  @Test
  void widthMultiplierScalesChannels() {
    BackboneSpec spec = new BackboneSpec("vgg-mini", 3, 32, 32, 10, 0.5);
    AepNetwork network = new AepNetwork(Backbones.build(spec), List.of(4));
    try (NDManager manager = NDManager.newBaseManager()) {
      List<StageCost> costs = NetworkCosts.of(network, new Shape(3, 32, 32), manager);
      assertEquals(List.of(16L, 32L, 64L, 128L), costs.stream().map(c -> c.outputShape().get(0)).toList());
      assertEquals(Cost.ZERO, costs.get(0).head(), "exit 1 is not kept");
    }
  }
}
