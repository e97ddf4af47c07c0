package io.aepstreams.streams.topology;

import io.aepstreams.model.data.InputSpec;
import io.aepstreams.model.policy.PartialEnsemble;
import io.aepstreams.records.ImageRecord;
import io.aepstreams.streams.decode.RejectedRecordException;
import io.aepstreams.records.SourceOffset;
import io.aepstreams.streams.decode.ImageDecoder;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.Record;

/** Decodes and normalises an image for stage 1; a bad one is rejected (and so dead-lettered) with its reason. */
final class DecodeProcessor extends ContextualProcessor<byte[], ImageRecord, byte[], StagedImage> {
  private final ImageDecoder decoder;
  private final InputSpec input;

  DecodeProcessor(ImageDecoder decoder, InputSpec input) {
    this.decoder = decoder;
    this.input = input;
  }

  @Override
  public void process(Record<byte[], ImageRecord> record) {
    ImageRecord image = record.value();
    if (image == null) {
      throw RejectedRecordException.tombstone(context());
    }
    SourceOffset source = context().recordMetadata()
        .map(m -> new SourceOffset(m.topic(), m.partition(), m.offset()))
        .orElse(null);
    StagedImage staged;
    try {
      staged = decode(decoder, input, record, source);
    } catch (RuntimeException e) {
      throw ImageFailures.ofTheRecord(e);
    }
    context().forward(record.withValue(staged));
  }

  /** The image {@code record} carries, decoded for stage 1; {@code source} says where it was read. */
  static StagedImage decode(ImageDecoder decoder, InputSpec input, Record<byte[], ImageRecord> record,
      SourceOffset source) {
    ImageRecord image = record.value();
    float[] tensor = decoder.decode(image);
    StagedImage.Origin origin = new StagedImage.Origin(record.key(), record.timestamp(), record.headers(),
        image.getId().toString(), image.getLabel(), image.getSentAt(), source, Map.copyOf(image.getAttributes()),
        record.key(), image);
    return new StagedImage(origin, tensor, new long[] {input.channels(), input.height(), input.width()},
        PartialEnsemble.NONE, List.of());
  }
}
