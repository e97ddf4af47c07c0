package io.aepstreams.streams.dlq;

import io.aepstreams.records.SourceOffset;
import io.aepstreams.streams.decode.RejectedRecordException.Reason;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.Headers;

/**
 * One image that failed inside a batch, dead-lettered on its own: with the record it entered the instance as (an
 * ImageRecord, or the PartialInference it was handed over in), its key and headers, where it came from, and why.
 * A batch does its work for many images at once, so its failures are accounted per image, never per batch.
 *
 * @param imageId the image's id, or null where not even that could be read
 * @param entered the record the image entered the instance as, serialised again for the dead letter; null when
 *     only {@code storedBytes} are left
 * @param enteredTopic the topic {@code entered} was read from (its schema's subject)
 * @param storedBytes what a store held for the image, dead-lettered as they are when they cannot be read back
 * @param source where the image came from (its source image's topic, partition and offset), or null
 */
public record FailedImage(String imageId, byte[] key, Headers headers, SpecificRecord entered, String enteredTopic,
    byte[] storedBytes, SourceOffset source, Reason reason, Throwable error) {}
