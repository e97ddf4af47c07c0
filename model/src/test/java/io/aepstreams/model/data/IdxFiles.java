package io.aepstreams.model.data;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/** Writes an image set as gzipped IDX files, the way Fashion-MNIST ships: {@code <prefix>-images-idx3-ubyte.gz}. */
public final class IdxFiles {
  private IdxFiles() {}

  public static void write(Path dir, String prefix, ImageSet images) throws IOException {
    Files.createDirectories(dir);
    try (DataOutputStream out = gzip(dir.resolve(prefix + "-images-idx3-ubyte.gz"))) {
      out.writeInt(0x803);
      out.writeInt(images.size());
      out.writeInt(images.height());
      out.writeInt(images.width());
      out.write(images.pixels());
    }
    try (DataOutputStream out = gzip(dir.resolve(prefix + "-labels-idx1-ubyte.gz"))) {
      out.writeInt(0x801);
      out.writeInt(images.size());
      for (int label : images.labels()) {
        out.writeByte(label);
      }
    }
  }

  private static DataOutputStream gzip(Path file) throws IOException {
    OutputStream raw = Files.newOutputStream(file);
    return new DataOutputStream(new GZIPOutputStream(raw));
  }
}
