package io.aepstreams.streams.control;

import io.aepstreams.records.ExitControl;
import java.util.Optional;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the instance's {@link PointInForce} up to date from the control topic, read whole by every instance as a
 * global store: on start the store is filled before any batch runs, so the first batch already decides with the
 * point in force; afterwards each new record for this model version applies from the next batch on. A record
 * that cannot be read, or names a point this bundle does not have, is refused with one line in the log.
 */
public final class ControlUpdates implements Processor<String, byte[], Void, Void> {
  private static final Logger LOG = LoggerFactory.getLogger(ControlUpdates.class);
  public static final String STORE = "operating-points";

  private final PointInForce points;
  private final Deserializer<ExitControl> values;
  private final String topic;
  private KeyValueStore<String, byte[]> store;

  public ControlUpdates(PointInForce points, Deserializer<ExitControl> values, String topic) {
    this.points = points;
    this.values = values;
    this.topic = topic;
  }

  @Override
  public void init(ProcessorContext<Void, Void> context) {
    store = context.getStateStore(STORE);
    byte[] restored = store.get(points.key());
    if (restored != null) {
      apply(restored, "restored");
    }
  }

  @Override
  public void process(Record<String, byte[]> record) {
    if (record.key() == null) {
      LOG.warn("refused a record on {} without a key: records there are keyed by model version", topic);
      PointInForce.refused().increment();
      return;
    }
    if (record.value() == null) {
      store.delete(record.key());
      return; // a tombstone: the point stays where it is until a new record says otherwise
    }
    store.put(record.key(), record.value());
    if (record.key().equals(points.key())) {
      apply(record.value(), "new");
    }
  }

  private void apply(byte[] value, String which) {
    ExitControl control;
    try {
      control = values.deserialize(topic, value);
    } catch (RuntimeException e) {
      refuse("a record that cannot be read (" + e.getMessage() + ")");
      return;
    }
    Optional<String> refusal = points.apply(control);
    if (refusal.isPresent()) {
      refuse("operating point " + control.getPoint() + ": " + refusal.get());
    } else {
      LOG.info("{} operating point {} ({} points below the full ensemble), set by {}: {}", which,
          control.getPoint(), control.getBudgetPoints(), control.getSetBy(), control.getReason());
    }
  }

  private void refuse(String what) {
    PointInForce.refused().increment();
    PointInForce.Applied kept = points.current();
    LOG.warn("refused {} on {}; keeping point {}", what, topic, kept.index());
  }
}
