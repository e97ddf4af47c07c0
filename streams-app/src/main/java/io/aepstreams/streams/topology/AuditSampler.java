package io.aepstreams.streams.topology;

import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * Which images that leave early are audited (also run to the last kept exit, to compare the two answers): a share
 * {@code rate} of them, chosen by their id, so that the same image is chosen again when a batch is done again
 * after a crash, and an id's choice does not depend on which instance or batch it lands in.
 */
public record AuditSampler(double rate) {
  public static final AuditSampler NONE = new AuditSampler(0);

  public AuditSampler {
    if (!(rate >= 0 && rate <= 1)) {
      throw new IllegalArgumentException("an audit rate is a share of images, 0 to 1; got " + rate);
    }
  }

  public boolean sampled(String id) {
    if (rate == 0) {
      return false;
    }
    CRC32 crc = new CRC32();
    crc.update(id.getBytes(StandardCharsets.UTF_8));
    // CRC-32 spreads similar ids (img-1, img-2, ...) evenly over its 2^32 values
    return crc.getValue() < rate * (1L << 32);
  }
}
