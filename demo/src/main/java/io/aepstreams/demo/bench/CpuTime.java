package io.aepstreams.demo.bench;

import java.lang.management.ManagementFactory;

/** CPU time used by this process, all threads together: less disturbed than wall time on a shared machine. */
final class CpuTime {
  private CpuTime() {}

  /** Nanoseconds of CPU this process has used so far. */
  static long process() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }
}
