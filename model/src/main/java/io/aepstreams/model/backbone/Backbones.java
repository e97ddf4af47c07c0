package io.aepstreams.model.backbone;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** The backbones by name: what {@code --backbone} accepts and what a bundle's manifest names. */
public final class Backbones {
  private static final Map<String, Function<BackboneSpec, StagedNetwork>> BUILDERS = new LinkedHashMap<>();

  static {
    BUILDERS.put("vgg-mini", VggMini::build);
    BUILDERS.put("resnet-mini", ResNetMini::build);
    BUILDERS.put("vgg16", Vgg16::build);
    BUILDERS.put("resnet50", ResNet50::build);
    BUILDERS.put("mobilenetv3-small", MobileNetV3Small::build);
  }

  private Backbones() {}

  public static List<String> names() {
    return List.copyOf(BUILDERS.keySet());
  }

  /** Fresh, uninitialised blocks for {@code spec}. */
  public static StagedNetwork build(BackboneSpec spec) {
    Function<BackboneSpec, StagedNetwork> builder = BUILDERS.get(spec.name());
    if (builder == null) {
      throw new IllegalArgumentException("unknown backbone '" + spec.name() + "'; known: " + String.join(", ", names()));
    }
    return builder.apply(spec);
  }
}
