package io.aepstreams.model.backbone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.util.List;
import org.junit.jupiter.api.Test;

class AepNetworkTest {
  private static final BackboneSpec SPEC = new BackboneSpec("resnet-mini", 3, 16, 16, 5, 0.5);

  @Test
  void forwardReturnsTheLogitsOfEachKeptExit() {
    AepNetwork network = new AepNetwork(Backbones.build(SPEC), List.of(1, 3));
    try (NDManager manager = NDManager.newBaseManager()) {
      network.initialize(manager, DataType.FLOAT32, new Shape(2, 3, 16, 16));
      NDList out = network.forward(new ParameterStore(manager, false),
          new NDList(manager.randomNormal(new Shape(2, 3, 16, 16))), false);
      assertEquals(2, out.size());
      assertEquals(new Shape(2, 5), out.get(0).getShape());
      assertEquals(new Shape(2, 5), out.get(1).getShape());
      assertEquals(3, network.depth(), "stages after the deepest kept exit are cut");
    }
  }

  @Test
  void exitsMustBeAscendingStages() {
    StagedNetwork blocks = Backbones.build(SPEC);
    assertThrows(IllegalArgumentException.class, () -> new AepNetwork(blocks, List.of(3, 1)));
    assertThrows(IllegalArgumentException.class, () -> new AepNetwork(blocks, List.of(5)));
    assertThrows(IllegalArgumentException.class, () -> new AepNetwork(blocks, List.of()));
  }

  @Test
  void unknownBackboneNamesTheKnownOnes() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Backbones.build(new BackboneSpec("alexnet", 1, 8, 8, 2, 1)));
    assertEquals("unknown backbone 'alexnet'; known: vgg-mini, resnet-mini, vgg16, resnet50, mobilenetv3-small",
        e.getMessage());
  }
}
