package io.aepstreams.model.training;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Makes the garbage collector free what it can, then hands the freed native memory straight back out filled with
 * NaN: a tensor that still points into Java memory the collector has freed then reads NaN instead of its value.
 */
public final class GarbageChurn {
  private static final List<ByteBuffer> HELD = new ArrayList<>();

  private GarbageChurn() {}

  public static void collectAndReuseFreedMemory() throws InterruptedException {
    for (int round = 0; round < 3; round++) {
      System.gc();
      Thread.sleep(20); // the cleaner thread frees direct buffers after the collection
    }
    synchronized (HELD) {
      HELD.clear();
      // Small buffers of the sizes DJL uses for scalars and tiny arrays, so the allocator reuses the freed blocks.
      for (int size : new int[] {4, 8, 16, 32, 64}) {
        for (int i = 0; i < 256; i++) {
          ByteBuffer buffer = ByteBuffer.allocateDirect(size).order(ByteOrder.nativeOrder());
          while (buffer.remaining() >= 4) {
            buffer.putFloat(Float.NaN);
          }
          HELD.add(buffer);
        }
      }
    }
  }
}
