package io.aepstreams.streams.decode;

import static io.aepstreams.streams.decode.RejectedRecordException.Reason;

import io.aepstreams.model.data.ImageResize;
import io.aepstreams.model.data.InputSpec;
import io.aepstreams.records.ImageRecord;
import io.aepstreams.streams.config.DecodeLimits;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Turns an ImageRecord into the model's input: RAW_U8 (grayscale or RGB, channels last), PNG or JPEG; converted to
 * the model's channels, resized to its size ({@link ImageResize}, as the trainer resizes) and normalised with its mean and std. Sizes are checked
 * against the limits before anything is decoded.
 */
public final class ImageDecoder {
  static {
    // Decode in memory: with the cache on, ImageIO writes every PNG or JPEG to a temporary file first.
    ImageIO.setUseCache(false);
  }

  private final InputSpec input;
  private final DecodeLimits limits;

  public ImageDecoder(InputSpec input, DecodeLimits limits) {
    this.input = input;
    this.limits = limits;
  }

  /** The normalised (channels, height, width) input for {@code image}. */
  public float[] decode(ImageRecord image) {
    ByteBuffer data = image.getData();
    int bytes = data.remaining();
    if (bytes > limits.maxPayloadBytes()) {
      throw new RejectedRecordException(Reason.PAYLOAD_TOO_LARGE, "image '" + image.getId() + "' has " + bytes
          + " bytes of data; the limit is " + limits.maxPayloadBytes());
    }
    byte[] pixels = switch (image.getEncoding()) {
      case RAW_U8 -> raw(image, data);
      case PNG, JPEG -> encoded(image, data);
      default -> throw new RejectedRecordException(Reason.UNKNOWN_ENCODING, "image '" + image.getId()
          + "' has encoding " + image.getEncoding() + "; this version reads RAW_U8, PNG and JPEG");
    };
    float[] out = new float[input.imageBytes()];
    input.normalize(pixels, 0, 1, out);
    return out;
  }

  private byte[] raw(ImageRecord image, ByteBuffer data) {
    Integer width = image.getWidth();
    Integer height = image.getHeight();
    Integer channels = image.getChannels();
    if (width == null || height == null || channels == null || width < 1 || height < 1) {
      throw new RejectedRecordException(Reason.BAD_DIMENSIONS, "RAW_U8 image '" + image.getId()
          + "' needs width, height and channels; got " + width + "x" + height + "x" + channels);
    }
    if (channels != 1 && channels != 3) {
      throw new RejectedRecordException(Reason.UNSUPPORTED_CHANNELS, "image '" + image.getId() + "' has "
          + channels + " channels; RAW_U8 takes 1 (grayscale) or 3 (RGB)");
    }
    checkPixels(image, (long) width * height);
    long expected = (long) width * height * channels;
    if (data.remaining() != expected) {
      throw new RejectedRecordException(Reason.BAD_DIMENSIONS, "RAW_U8 image '" + image.getId() + "' of "
          + width + "x" + height + "x" + channels + " needs " + expected + " bytes, got " + data.remaining());
    }
    // read in place: a camera frame is not copied before it is resized
    return ImageResize.toChannelFirst(ImageResize.interleaved(data, channels, height, width), input.channels(),
        input.height(), input.width());
  }

  private byte[] encoded(ImageRecord image, ByteBuffer data) {
    byte[] bytes = wholeArray(data);
    if (PngChunks.isPng(bytes)) {
      bytes = PngChunks.pixelChunks(bytes, image.getId().toString());
    }
    BufferedImage decoded;
    try (ImageInputStream stream = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
      Iterator<ImageReader> readers = ImageIO.getImageReaders(stream);
      if (!readers.hasNext()) {
        throw new RejectedRecordException(Reason.UNDECODABLE_IMAGE, "image '" + image.getId() + "' is not a "
            + image.getEncoding() + " image (no decoder recognises its bytes)");
      }
      ImageReader reader = readers.next();
      try {
        reader.setInput(stream, true, true); // forward only; no metadata: only pixels are wanted
        // the header alone tells the size: refuse huge images before decoding them
        checkPixels(image, (long) reader.getWidth(0) * reader.getHeight(0));
        decoded = reader.read(0);
      } finally {
        reader.dispose();
      }
    } catch (IOException | RuntimeException e) {
      if (e instanceof RejectedRecordException rejected) {
        throw rejected;
      }
      throw new RejectedRecordException(Reason.UNDECODABLE_IMAGE, "image '" + image.getId() + "' cannot be decoded "
          + "as " + image.getEncoding() + ": " + e.getMessage());
    }
    if ((image.getWidth() != null && image.getWidth() != decoded.getWidth())
        || (image.getHeight() != null && image.getHeight() != decoded.getHeight())) {
      throw new RejectedRecordException(Reason.BAD_DIMENSIONS, "image '" + image.getId() + "' says "
          + image.getWidth() + "x" + image.getHeight() + " but its " + image.getEncoding() + " data is "
          + decoded.getWidth() + "x" + decoded.getHeight());
    }
    return ImageResize.toChannelFirst(ImageResize.of(decoded), input.channels(), input.height(), input.width());
  }

  /** The payload as an array: the buffer's own when it is exactly that (as Avro reads it), else a copy. */
  private static byte[] wholeArray(ByteBuffer data) {
    if (data.hasArray() && data.arrayOffset() == 0 && data.position() == 0
        && data.remaining() == data.array().length) {
      return data.array();
    }
    byte[] bytes = new byte[data.remaining()];
    data.duplicate().get(bytes);
    return bytes;
  }

  private void checkPixels(ImageRecord image, long pixels) {
    if (pixels > limits.maxPixels()) {
      throw new RejectedRecordException(Reason.TOO_MANY_PIXELS, "image '" + image.getId() + "' has " + pixels
          + " pixels; the limit is " + limits.maxPixels());
    }
  }
}
