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

  /** The same PNG with every chunk but the pixel chunks left out; a chunk that runs past the end is rejected. */
  static byte[] pixelChunks(byte[] png, String id) {
    ByteBuffer in = ByteBuffer.wrap(png);
    in.position(SIGNATURE.length);
    ByteArrayOutputStream out = new ByteArrayOutputStream(png.length);
    out.write(png, 0, SIGNATURE.length);
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
        out.write(png, start, in.position() - start);
      }
      if (name.equals("IEND")) {
        break;
      }
    }
    return out.toByteArray();
  }
}
