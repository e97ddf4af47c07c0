package io.aepstreams.demo.bench;

import ai.djl.ndarray.NDManager;
import io.aepstreams.demo.plan.HandoffTrial;
import io.aepstreams.model.bundle.Manifest;
import io.aepstreams.model.bundle.StagedModel;
import io.aepstreams.model.data.ImageSet;
import io.aepstreams.model.policy.ExitPolicy;
import io.aepstreams.streams.handoff.HandoffEncoding;
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
 * with the records the hand-off writer makes in each encoding ({@link HandoffTrial}), as written and on the wire
 * per compression codec.
 */
final class Crossings {
  private Crossings() {}

  static BenchReport.Crossing measure(StagedModel model, NDManager manager, ExitPolicy policy, ImageSet images,
      Map<Integer, Double> exitShares, int sample, int batch) {
    Manifest manifest = model.manifest();
    int n = Math.min(sample, images.size());
    ImageSet sent = images.head(n);
    ImageSet atModel = sent.resized(manifest.input().channels(), manifest.input().height(), manifest.input().width());
    double pngSent = 0;
    double pngAtModel = 0;
    for (int i = 0; i < n; i++) {
      pngSent += png(sent, i);
      pngAtModel += png(atModel, i);
    }
    // Every image goes on at every split, so that each split's records are measured on the sample whole.
    HandoffTrial.Result trial = HandoffTrial.run(model, manager, sent, ExitPolicy.off(policy.confidence()), batch, n,
        done -> { });
    List<BenchReport.SplitPoint> points = new ArrayList<>();
    int last = manifest.stages().get(manifest.stages().size() - 1).stage();
    double left = 0;
    for (Manifest.Stage stage : manifest.stages()) {
      if (stage.stage() == last) {
        break;
      }
      left += exitShares.getOrDefault(stage.stage(), 0.0);
      double goingOn = Math.max(0, 1 - left);
      List<BenchReport.EncodedSize> encoded = new ArrayList<>();
      for (HandoffEncoding encoding : HandoffEncoding.values()) {
        HandoffTrial.Size size = trial.size(stage.stage(), encoding);
        encoded.add(new BenchReport.EncodedSize(encoding.setting(), size.recordBytes(), size.wireBytes(),
            goingOn * size.recordBytes()));
      }
      double bytes = trial.size(stage.stage(), HandoffEncoding.FLOAT32).recordBytes();
      points.add(new BenchReport.SplitPoint(stage.stage(), stage.outputShape(), bytes, goingOn, goingOn * bytes,
          manifest.macsUpTo(stage.stage()), manifest.macsUpTo(last) - manifest.macsUpTo(stage.stage()), encoded));
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
