package io.aepstreams.demo;

import io.aepstreams.model.bundle.Manifest;
import io.aepstreams.records.Classification;
import io.aepstreams.demo.bench.Latencies;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** What the demo saw: results, accuracy, where images left, compute, latency. Fed from one consumer thread. */
final class DemoStats {
  private final Manifest manifest;
  private final Map<Integer, Integer> exits = new TreeMap<>();
  private final Latencies latencies = new Latencies();
  private final Latencies readLatencies = new Latencies();
  private int count;
  private int labelled;
  private int correct;
  private double macs;
  private long firstSent = Long.MAX_VALUE;
  private long lastDecided;

  DemoStats(Manifest manifest) {
    this.manifest = manifest;
    manifest.exits().forEach(e -> exits.put(e.stage(), 0));
  }

  /** A result, read by the demo's read_committed consumer at {@code readAtMillis}. */
  synchronized void add(Classification result, long readAtMillis) {
    count++;
    exits.merge(result.getExitStage(), 1, Integer::sum);
    if (result.getLabel() != null) {
      labelled++;
      correct += result.getLabel() == result.getClassIndex() ? 1 : 0;
    }
    macs += manifest.macsUpTo(result.getExitStage());
    if (result.getSentAt() != null) {
      long sent = result.getSentAt().toEpochMilli();
      long decided = result.getDecidedAt().toEpochMilli();
      firstSent = Math.min(firstSent, sent);
      lastDecided = Math.max(lastDecided, decided);
      latencies.add(decided - sent);
      readLatencies.add(readAtMillis - sent);
    }
  }

  synchronized int count() {
    return count;
  }

  synchronized double accuracy() {
    return labelled == 0 ? Double.NaN : (double) correct / labelled;
  }

  /** One line for the live progress display. */
  synchronized String progress(long sent, long total, double seconds) {
    String accuracy = labelled == 0 ? "—" : String.format(Locale.ROOT, "%.2f%%", accuracy() * 100);
    return String.format(Locale.ROOT, "sent %,d/%,d | classified %,d | accuracy %s | %,.0f img/s", sent, total,
        count, accuracy, count / Math.max(seconds, 1e-3));
  }

  synchronized String summary(long dlq) {
    long full = manifest.macsUpTo(manifest.stages().size());
    double seconds = Math.max(1e-3, (lastDecided - firstSent) / 1000.0);
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT, "%n== AEP Streams demo: %s (%s) ==%n", manifest.name(), manifest.version()));
    out.append(String.format(Locale.ROOT, "images classified   %,d (dead-lettered %,d)%n", count, dlq));
    out.append(String.format(Locale.ROOT, "accuracy            %.2f%% of %,d labelled images%n", accuracy() * 100,
        labelled));
    out.append("leaving at exit     ");
    exits.forEach((stage, n) -> out.append(String.format(Locale.ROOT, "%d: %.1f%%   ", stage,
        100.0 * n / Math.max(1, count))));
    out.append(String.format(Locale.ROOT, "%nMACs per image       %,.0f against %,d for every stage: %.1f%% saved%n",
        macs / Math.max(1, count), full, 100 * (1 - macs / Math.max(1, count) / full)));
    out.append(String.format(Locale.ROOT, "throughput          %,.0f images/s (first send to last result, %.1f s)%n",
        count / seconds, seconds));
    out.append(String.format(Locale.ROOT, "end-to-end latency  p50 %d ms, p99 %d ms (sent to decided, queueing "
            + "included)%n",
        latencies.percentile(0.50), latencies.percentile(0.99)));
    // What a consumer of results sees: under exactly-once a result is readable once its transaction commits.
    out.append(String.format(Locale.ROOT, "                    p50 %d ms, p99 %d ms, p99.9 %d ms (sent to read "
            + "by a read_committed consumer)%n",
        readLatencies.percentile(0.50), readLatencies.percentile(0.99),
        readLatencies.percentile(0.999)));
    return out.toString();
  }
}
