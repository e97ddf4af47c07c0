package io.aepstreams.streams.config;

/** A contiguous range of stages one instance runs, 1-based and inclusive: "1", "2-4". */
public record StageRange(int first, int last) {
  public StageRange {
    if (first < 1 || last < first) {
      throw new IllegalArgumentException("stage range must be N or N-M with 1 <= N <= M, got " + first + "-" + last);
    }
  }

  public static StageRange parse(String text) {
    String t = text.strip();
    try {
      int dash = t.indexOf('-');
      if (dash < 0) {
        int stage = Integer.parseInt(t);
        return new StageRange(stage, stage);
      }
      return new StageRange(Integer.parseInt(t.substring(0, dash).strip()), Integer.parseInt(t.substring(dash + 1)
          .strip()));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("stage range must look like 1 or 2-4, got '" + text + "'");
    }
  }

  public boolean contains(int stage) {
    return stage >= first && stage <= last;
  }

  @Override
  public String toString() {
    return first == last ? String.valueOf(first) : first + "-" + last;
  }
}
