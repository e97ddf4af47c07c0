package io.aepstreams.streams.topology;

import io.aepstreams.model.bundle.Manifest;
import io.aepstreams.records.ImageRecord;
import io.aepstreams.records.PartialInference;
import io.aepstreams.records.SourceOffset;
import io.aepstreams.streams.decode.ImageDecoder;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The images a {@link BatchCollector} holds, kept in a changelogged store as well as in memory. Under exactly-once
 * the store's changelog commits in the same transaction as the input offsets: an image whose offset is committed
 * while it waits is in the changelog, and comes back from it after a crash or a rebalance. Each image is stored as
 * its record's key, timestamp, headers and source offset, and a payload: an image waiting for the bundle's first
 * stage as the {@link ImageRecord} it came as (decoded again when restored, so that another model version may take
 * it over during a rollout), any other as the {@link PartialInference} an instance would hand over.
 */
final class WaitingImages {
  private static final byte FORMAT = 2;

  private final KeyValueStore<Long, byte[]> store;
  private final Manifest manifest;
  private final int stage;
  private final ImageDecoder decoder;
  private final List<StagedImage> images = new ArrayList<>();
  private final List<Long> keys = new ArrayList<>();
  private long nextKey;

  /**
   * Takes back the images {@code store} holds, in arrival order. {@code decoder} decodes images waiting for stage 1
   * (unused for a later stage).
   */
  WaitingImages(KeyValueStore<Long, byte[]> store, Manifest manifest, int stage, ImageDecoder decoder) {
    this.store = store;
    this.manifest = manifest;
    this.stage = stage;
    this.decoder = decoder;
    try (KeyValueIterator<Long, byte[]> all = store.all()) {
      while (all.hasNext()) {
        var entry = all.next();
        images.add(decode(entry.value));
        keys.add(entry.key);
        nextKey = entry.key + 1;
      }
    }
  }

  void add(StagedImage image) {
    long key = nextKey++;
    store.put(key, encode(image));
    images.add(image);
    keys.add(key);
  }

  int size() {
    return images.size();
  }

  /** The waiting images, oldest first. */
  List<StagedImage> images() {
    return List.copyOf(images);
  }

  /** Forgets the waiting images: called once their batch has been processed, so in the same transaction. */
  void clear() {
    keys.forEach(store::delete);
    keys.clear();
    images.clear();
  }

  byte[] encode(StagedImage image) {
    StagedImage.Origin origin = image.origin();
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(image.tensor().length * Float.BYTES + 512);
      DataOutputStream out = new DataOutputStream(bytes);
      out.writeByte(FORMAT);
      writeBytes(out, origin.recordKey());
      out.writeLong(origin.timestamp());
      Header[] headers = origin.headers() == null ? new Header[0] : origin.headers().toArray();
      out.writeInt(headers.length);
      for (Header header : headers) {
        out.writeUTF(header.key());
        writeBytes(out, header.value());
      }
      SourceOffset source = origin.source();
      out.writeBoolean(source != null);
      if (source != null) {
        out.writeUTF(source.getTopic());
        out.writeInt(source.getPartition());
        out.writeLong(source.getOffset());
      }
      ByteBuffer payload = image.decodedFrom() != null ? image.decodedFrom().toByteBuffer()
          : image.handoff(manifest, stage).toByteBuffer();
      out.writeBoolean(image.decodedFrom() != null);
      out.writeInt(payload.remaining());
      out.write(payload.array(), payload.arrayOffset() + payload.position(), payload.remaining());
      out.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  StagedImage decode(byte[] value) {
    try {
      DataInputStream in = new DataInputStream(new ByteArrayInputStream(value));
      byte format = in.readByte();
      if (format != FORMAT) {
        throw new IllegalStateException("a waiting image in format " + format + "; this version reads " + FORMAT);
      }
      byte[] key = readBytes(in);
      long timestamp = in.readLong();
      RecordHeaders headers = new RecordHeaders();
      int count = in.readInt();
      for (int i = 0; i < count; i++) {
        headers.add(in.readUTF(), readBytes(in));
      }
      SourceOffset source = in.readBoolean() ? new SourceOffset(in.readUTF(), in.readInt(), in.readLong()) : null;
      boolean asImage = in.readBoolean();
      byte[] payload = new byte[in.readInt()];
      in.readFully(payload);
      if (asImage) {
        Record<byte[], ImageRecord> record = new Record<>(key, ImageRecord.fromByteBuffer(ByteBuffer.wrap(payload)),
            timestamp, headers);
        return DecodeProcessor.decode(decoder, manifest.input(), record, source);
      }
      return HandoffReader.read(manifest, stage, new Record<>(key,
          PartialInference.fromByteBuffer(ByteBuffer.wrap(payload)), timestamp, headers));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void writeBytes(DataOutputStream out, byte[] value) throws IOException {
    if (value == null) {
      out.writeInt(-1);
    } else {
      out.writeInt(value.length);
      out.write(value);
    }
  }

  private static byte[] readBytes(DataInputStream in) throws IOException {
    int length = in.readInt();
    if (length < 0) {
      return null;
    }
    byte[] value = new byte[length];
    in.readFully(value);
    return value;
  }
}
