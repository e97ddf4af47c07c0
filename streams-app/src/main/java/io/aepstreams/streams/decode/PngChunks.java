package io.aepstreams.streams.decode;

import io.aepstreams.streams.decode.RejectedRecordException.Reason;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Set;

/**
 * Keeps only the chunks a PNG needs for its pixels. Text (zTXt, iTXt) and ICC-profile (iCCP) chunks are
 * deflate-compressed and the JDK's reader inflates them whole: a few megabytes of zeros inflate to gigabytes (a
 * "metadata bomb") before a single pixel is read. Pixels only need IHDR, PLTE, tRNS, IDAT and IEND; their size is
 * bounded by the header, which is checked before decoding.
 */
final class PngChunks {
  static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  private static final Set<String> PIXEL_CHUNKS = Set.of("IHDR", "PLTE", "tRNS", "IDAT", "IEND");

  private PngChunks() {}

  static boolean isPng(byte[] bytes) {
    return bytes.length >= SIGNATURE.length && Arrays.equals(bytes, 0, SIGNATURE.length, SIGNATURE, 0,
        SIGNATURE.length);
  }

  /**
   * The same PNG with every chunk but the pixel chunks left out ({@code png} itself when it has no other chunk, so a
   * large frame is not copied); a chunk that runs past the end is rejected.
   */
  static byte[] pixelChunks(byte[] png, String id) {
    if (copyPixelChunks(png, id, null)) {
      return png;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(png.length);
    out.write(png, 0, SIGNATURE.length);
    copyPixelChunks(png, id, out);
    return out.toByteArray();
  }

  /** Copies the pixel chunks to {@code out} (none when null); whether the PNG is those chunks alone, up to its end. */
  private static boolean copyPixelChunks(byte[] png, String id, ByteArrayOutputStream out) {
    ByteBuffer in = ByteBuffer.wrap(png);
    in.position(SIGNATURE.length);
    boolean onlyPixels = true;
    while (in.remaining() >= 12) {
      int start = in.position();
      long length = in.getInt() & 0xffffffffL;
      byte[] type = new byte[4];
      in.get(type);
      if (length > in.remaining() - 4) {
        throw new RejectedRecordException(Reason.UNDECODABLE_IMAGE, "image '" + id + "' has a PNG chunk of "
            + length + " bytes with " + Math.max(0, in.remaining() - 4) + " left");
      }
      in.position(in.position() + (int) length + 4); // data and CRC
      String name = new String(type, java.nio.charset.StandardCharsets.US_ASCII);
      if (PIXEL_CHUNKS.contains(name)) {
        if (out != null) {
          out.write(png, start, in.position() - start);
        }
      } else {
        onlyPixels = false;
      }
      if (name.equals("IEND")) {
        return onlyPixels && in.remaining() == 0;
      }
    }
    return false;
  }
}
