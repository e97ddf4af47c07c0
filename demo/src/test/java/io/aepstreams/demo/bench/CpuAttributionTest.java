package io.aepstreams.demo.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.aepstreams.demo.bench.CpuAttribution.Part;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class CpuAttributionTest {
  @Test
  void threadsGoToTheirPartsByTheNamesKafkaGivesThem() {
    assertEquals(Part.STREAM_KAFKA, CpuAttribution.partOf("bench-3-stages-1-4-6f1c-StreamThread-1"));
    assertEquals(Part.PRODUCER_IO, CpuAttribution.partOf(
        "kafka-producer-network-thread | bench-3-stages-1-4-6f1c-StreamThread-1-producer"));
    assertEquals(Part.BENCH, CpuAttribution.partOf("kafka-producer-network-thread | producer-1"));
    assertEquals(Part.CONTROL, CpuAttribution.partOf("bench-3-stages-1-4-6f1c-GlobalStreamThread"));
    assertEquals(Part.CLIENTS, CpuAttribution.partOf("kafka-coordinator-heartbeat-thread | bench-3-stages-1-4"));
    assertEquals(Part.BENCH, CpuAttribution.partOf("bench-results"));
    assertEquals(Part.OTHER, CpuAttribution.partOf("main"));
    assertEquals(Part.MODEL_STREAM, CpuAttribution.partOf("aep-pass-1"));
  }

  @Test
  void passesOnAThreadOfTheirOwnAreModelAndTheStreamThreadKeepsOnlyWhatRanOnIt() {
    // stream thread 10 (30 ms), pass thread 13 (36 ms); the stage runs counted 40 ms: 36 on the pass thread and 4
    // on the stream thread (a batch run again one image at a time there, say), so its Kafka work is 26
    CpuAttribution.Snapshot from = new CpuAttribution.Snapshot(0, Map.of(10L, 0L, 13L, 0L),
        Map.of(10L, "a-StreamThread-1", 13L, "aep-pass-1"), 0, 0, 0, OptionalLong.empty());
    CpuAttribution.Snapshot to = new CpuAttribution.Snapshot(80_000_000, Map.of(10L, 30_000_000L, 13L, 36_000_000L),
        Map.of(10L, "a-StreamThread-1", 13L, "aep-pass-1"), 0, 0, 0.040, OptionalLong.empty());
    Map<Part, Double> perImage = CpuAttribution.perImage(from, to, 10);
    assertEquals(4.0, perImage.get(Part.MODEL_STREAM), 1e-9);
    assertEquals(2.6, perImage.get(Part.STREAM_KAFKA), 1e-9);
    assertEquals(1.4, perImage.get(Part.MODEL_WORKERS), 1e-9);
  }

  @Test
  void theStageRunsComeOutOfTheStreamThreadsAndTheRestOfTheProcessIsTheEngines() {
    // stream thread 10, its producer 11, the reader 12: 1 ms = 1,000,000 ns
    CpuAttribution.Snapshot from = new CpuAttribution.Snapshot(0, Map.of(10L, 0L, 11L, 0L),
        Map.of(10L, "a-StreamThread-1", 11L, "kafka-producer-network-thread | a-StreamThread-1-producer"), 0, 0, 0,
        OptionalLong.of(5_000_000));
    CpuAttribution.Snapshot to = new CpuAttribution.Snapshot(100_000_000, Map.of(10L, 50_000_000L, 11L, 5_000_000L,
        12L, 2_000_000L), Map.of(10L, "a-StreamThread-1", 11L,
        "kafka-producer-network-thread | a-StreamThread-1-producer", 12L, "bench-results"), 3_000_000, 1_000_000,
        0.040, OptionalLong.of(25_000_000));
    Map<Part, Double> perImage = CpuAttribution.perImage(from, to, 10);
    assertEquals(4.0, perImage.get(Part.MODEL_STREAM), 1e-9);
    assertEquals(1.0, perImage.get(Part.STREAM_KAFKA), 1e-9);
    assertEquals(0.5, perImage.get(Part.PRODUCER_IO), 1e-9);
    assertEquals(0.2, perImage.get(Part.BENCH), 1e-9);
    assertEquals(0.3, perImage.get(Part.GC), 1e-9);
    assertEquals(0.1, perImage.get(Part.JIT), 1e-9);
    // 100 ms of process CPU: 57 in Java threads, 4 in the JVM's own, 39 left for the engine's native workers
    assertEquals(3.9, perImage.get(Part.MODEL_WORKERS), 1e-9);
    assertEquals(2.0, perImage.get(Part.BROKER), 1e-9);
  }

  @Test
  void theCeilingIsWhatTheCoresGiveOnceTheWorkOutsideTheModelIsAdded() {
    Map<String, Double> parts = Map.of(Part.MODEL_STREAM.name(), 0.7, Part.MODEL_WORKERS.name(), 0.6,
        Part.BROKER.name(), 0.2, Part.STREAM_KAFKA.name(), 0.05);
    assertEquals(0.25, CpuAttribution.outsideModel(parts), 1e-12);
    // a loop of 2,000 img/s at 1 ms each keeps 2 cores busy: 1.25 ms per image leaves 1,600
    assertEquals(1600, CpuAttribution.ceilingPerSecond(2, 2000, 1.0, 0.25), 1e-9);
    // a loop that leaves a core idle (500 img/s at 1 ms) is the ceiling itself
    assertEquals(500, CpuAttribution.ceilingPerSecond(2, 500, 1.0, 0.25), 1e-9);
  }
}
