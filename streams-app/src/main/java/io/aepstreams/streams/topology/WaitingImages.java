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
import io.aepstreams.streams.decode.RejectedRecordException;
import io.aepstreams.streams.decode.RejectedRecordException.Reason;
import io.aepstreams.streams.dlq.DeadLetterHandlers;
import io.aepstreams.streams.dlq.FailedImage;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The images a {@link BatchCollector} holds, kept in a changelogged store as well as in memory. Under exactly-once
 * the store's changelog commits in the same transaction as the input offsets: an image whose offset is committed
 * while it waits is in the changelog, and comes back from it after a crash or a rebalance. Each image is stored as
 * its record's key, timestamp, headers and source offset, and the record it entered the instance as: the
 * {@link ImageRecord} (decoded again when restored, so that another model version may take it over during a
 * rollout) or the {@link PartialInference} it was handed over in.
 *
 * <p>One store serves every stage of an instance that collects images: the first stage of its range, and the deeper
 * ones that wait for the images going on to refill their batches. Each keeps its images under keys of its own
 * ({@link #keySpace}: the stage's place in the range, 0 for the first); the first stage takes every stored image
 * back, whoever stored it, and runs it again from the start of the range: a crash costs a deep image its earlier
 * stages once more, and the store needs one changelog, one format and one restore.
 *
 * <p>What the store holds is read back by {@link #restore}, not when the store is opened: an image that the
 * instance can no longer read (another model version's hand-off, an image over a lowered limit, a format this
 * version does not know) is then dead-lettered with its reason, where a processor may send records, instead of
 * failing the task every time it starts and stopping the partition for good.
 */
public final class WaitingImages {
  private static final byte FORMAT = 2;
  /** Bits of a key below its key space: a store's images per stage never come near 2^48. */
  private static final int SPACE_SHIFT = 48;

  private final KeyValueStore<Long, byte[]> store;
  private final Manifest manifest;
  private final int stage;
  private final ImageDecoder decoder;
  private final String inputTopic;
  private final boolean storesEveryImage;
  private final List<StagedImage> images = new ArrayList<>();
  private final List<Long> keys = new ArrayList<>();
  private List<KeyValue<Long, byte[]>> stored = new ArrayList<>();
  private long nextKey;

  /**
   * Opens {@code store} for the first stage of the range; its images, every stage's, are read back by
   * {@link #restore}. {@code decoder} decodes images waiting for stage 1 (unused for a later stage);
   * {@code inputTopic} is where the instance reads its images from.
   */
  WaitingImages(KeyValueStore<Long, byte[]> store, Manifest manifest, int stage, ImageDecoder decoder,
      String inputTopic, boolean storesEveryImage) {
    this(store, manifest, stage, decoder, inputTopic, 0, storesEveryImage);
  }

  /**
   * Opens {@code store} for the stage at {@code keySpace} in the range (0: the first, which restores what the store
   * holds; a deeper one only adds and clears its own). {@code storesEveryImage}: whether the images that fill a
   * batch are stored too, as they must be where the batch's pass may still run at the next commit
   * ({@link StagePasses#overlaps}); else they go on unstored, their pass ending within the call that filled it.
   */
  WaitingImages(KeyValueStore<Long, byte[]> store, Manifest manifest, int stage, ImageDecoder decoder,
      String inputTopic, int keySpace, boolean storesEveryImage) {
    this.storesEveryImage = storesEveryImage;
    this.store = store;
    this.manifest = manifest;
    this.stage = stage;
    this.decoder = decoder;
    this.inputTopic = inputTopic;
    long first = (long) keySpace << SPACE_SHIFT;
    nextKey = first;
    try (KeyValueIterator<Long, byte[]> all = store.all()) {
      while (all.hasNext()) {
        KeyValue<Long, byte[]> entry = all.next();
        if (keySpace == 0) {
          stored.add(entry);
        }
        if (entry.key >>> SPACE_SHIFT == keySpace) {
          nextKey = Math.max(nextKey, entry.key + 1);
        }
      }
    }
  }

  /**
   * Takes back, in arrival order, the images an earlier run stored, once: those this instance can read wait again;
   * the others are forgotten here and returned, each with its record and reason, to be dead-lettered in the same
   * transaction. An infrastructure failure is thrown, and the store is read again by the next run.
   */
  List<FailedImage> restore() {
    if (stored.isEmpty()) {
      return List.of();
    }
    List<FailedImage> failed = new ArrayList<>();
    List<Long> failedKeys = new ArrayList<>();
    for (KeyValue<Long, byte[]> entry : stored) {
      try {
        images.add(decode(entry.value));
        keys.add(entry.key);
      } catch (RuntimeException e) {
        if (DeadLetterHandlers.notTheRecordsFault(e) != null) {
          images.clear();
          keys.clear();
          throw e;
        }
        failed.add(unrestorable(entry.value, e));
        failedKeys.add(entry.key);
      }
    }
    // Deleted only now: had a failure above been thrown, the store would still hold everything.
    failedKeys.forEach(store::delete);
    stored = List.of();
    return failed;
  }

  /** Keeps {@code image} waiting, stored; an audit copy is only held ({@link #hold}). */
  void add(StagedImage image) {
    if (image.isAudit()) {
      hold(image);
      return;
    }
    long key = nextKey++;
    store.put(key, encode(image));
    images.add(image);
    keys.add(key);
  }

  /**
   * Holds {@code image} in memory only: an audit copy, whose image has its answer already; one lost in a crash is
   * an audit sample less, where a stored one would come back as an image and be answered twice.
   */
  private void hold(StagedImage image) {
    images.add(image);
    keys.add(null);
  }

  int size() {
    return images.size();
  }

  /** The waiting images, oldest first. */
  List<StagedImage> images() {
    return List.copyOf(images);
  }

  /**
   * Takes the waiting images out of the wait, then {@code arriving} after them (stored first, where every image is),
   * as batches of at most {@code maxSize} in order. The stored ones stay stored: the stage that runs a batch forgets
   * its keys once what its pass made of them has gone on ({@link Batch#storeKeys}), so that a commit while the pass
   * runs still finds them.
   */
  List<Batch> release(List<StagedImage> arriving, int maxSize) {
    if (storesEveryImage) {
      arriving.forEach(this::add);
    } else {
      images.addAll(arriving);
      arriving.forEach(image -> keys.add(null));
    }
    List<Batch> batches = Batch.split(images, keys, maxSize);
    keys.clear();
    images.clear();
    return batches;
  }

  byte[] encode(StagedImage image) {
    StagedImage.Origin origin = image.origin();
    try {
      // The header first, then one array of the exact size: a camera frame is copied once into what the store
      // keeps, not grown into a buffer by doubling.
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(512);
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
      SpecificRecord entered = origin.entered();
      ByteBuffer payload = entered instanceof ImageRecord record ? record.toByteBuffer()
          : ((PartialInference) entered).toByteBuffer();
      out.writeBoolean(entered instanceof ImageRecord);
      out.writeInt(payload.remaining());
      out.flush();
      byte[] encoded = new byte[bytes.size() + payload.remaining()];
      ByteBuffer.wrap(encoded).put(bytes.toByteArray()).put(payload);
      return encoded;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * What the store holds for one image, read but not checked against any model: its record's key, timestamp,
   * headers and source, and the record it entered the instance as (an ImageRecord or a PartialInference).
   */
  public record Stored(byte[] key, long timestamp, RecordHeaders headers, SourceOffset source,
      SpecificRecord entered) {}

  StagedImage decode(byte[] value) {
    Stored stored = read(value);
    if (stored.entered() instanceof ImageRecord image) {
      return DecodeProcessor.decode(decoder, manifest.input(), new Record<>(stored.key(), image, stored.timestamp(),
          stored.headers()), stored.source());
    }
    return HandoffReader.read(manifest, stage, new Record<>(stored.key(), (PartialInference) stored.entered(),
        stored.timestamp(), stored.headers()));
  }

  /** Reads one value of the store (or of its changelog); throws if it is not in this version's format. */
  public static Stored read(byte[] value) {
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
      SpecificRecord entered = asImage ? ImageRecord.fromByteBuffer(ByteBuffer.wrap(payload))
          : PartialInference.fromByteBuffer(ByteBuffer.wrap(payload));
      return new Stored(key, timestamp, headers, source, entered);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The dead letter of a stored image that failed to come back: with its record where it can be read at all. */
  private FailedImage unrestorable(byte[] value, RuntimeException error) {
    Stored stored;
    try {
      stored = read(value);
    } catch (RuntimeException unreadable) {
      return new FailedImage(null, null, null, null, null, value, null, Reason.UNRESTORABLE, error);
    }
    Reason reason = error instanceof RejectedRecordException rejected ? rejected.reason() : Reason.UNRESTORABLE;
    String id = stored.entered() instanceof ImageRecord image ? image.getId().toString()
        : ((PartialInference) stored.entered()).getId().toString();
    return new FailedImage(id, stored.key(), stored.headers(), stored.entered(), inputTopic, value, stored.source(),
        reason, error);
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
