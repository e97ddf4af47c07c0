package io.aepstreams.demo.bench;

import io.aepstreams.model.bundle.Manifest;
import io.aepstreams.model.data.ImageSet;
import io.aepstreams.records.PartialInference;
import io.aepstreams.schemas.wire.AvroSerde;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * The bytes a split sends across per image, beside the image's own: measured on a sample of the streamed images,
 * with the records the hand-off writer makes (float32 tensors; their size does not depend on the values).
 */
final class Crossings {
  private Crossings() {}

  static BenchReport.Crossing measure(ModelLoop loop, Manifest manifest, ImageSet images,
      Map<Integer, Double> exitShares, int sample) {
    int n = Math.min(sample, images.size());
    ImageSet sent = images.head(n);
    ImageSet atModel = sent.resized(manifest.input().channels(), manifest.input().height(), manifest.input().width());
    double pngSent = 0;
    double pngAtModel = 0;
    for (int i = 0; i < n; i++) {
      pngSent += png(sent, i);
      pngAtModel += png(atModel, i);
    }
    AvroSerde<PartialInference> serde = new AvroSerde<>(PartialInference.class);
    serde.configure(Map.of("schema.registry.url", "mock://bench-crossings"), false);
    Map<Integer, Double> records = loop.handoffBytes(n, serde.serializer());
    List<BenchReport.SplitPoint> points = new ArrayList<>();
    int last = manifest.stages().get(manifest.stages().size() - 1).stage();
    double left = 0;
    for (Manifest.Stage stage : manifest.stages()) {
      if (stage.stage() == last) {
        break;
      }
      left += exitShares.getOrDefault(stage.stage(), 0.0);
      double goingOn = Math.max(0, 1 - left);
      double bytes = records.get(stage.stage());
      points.add(new BenchReport.SplitPoint(stage.stage(), stage.outputShape(), bytes, goingOn, goingOn * bytes,
          manifest.macsUpTo(stage.stage()), manifest.macsUpTo(last) - manifest.macsUpTo(stage.stage())));
    }
    return new BenchReport.Crossing(n, sent.imageBytes(), pngSent / n, atModel.imageBytes(), pngAtModel / n, points);
  }

  /** The bytes of image {@code index} of {@code set} as a PNG file (ImageIO's default compression). */
  static int png(ImageSet set, int index) {
    int w = set.width();
    int h = set.height();
    int plane = w * h;
    int offset = index * set.imageBytes();
    byte[] p = set.pixels();
    BufferedImage image;
    if (set.channels() == 1) {
      image = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
      image.getRaster().setDataElements(0, 0, w, h, java.util.Arrays.copyOfRange(p, offset, offset + plane));
    } else {
      image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
      for (int i = 0; i < plane; i++) {
        image.setRGB(i % w, i / w, ((p[offset + i] & 0xff) << 16) | ((p[offset + plane + i] & 0xff) << 8)
            | (p[offset + 2 * plane + i] & 0xff));
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ImageIO.write(image, "png", out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.size();
  }
}
