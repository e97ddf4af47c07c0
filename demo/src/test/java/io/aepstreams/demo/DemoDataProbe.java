package io.aepstreams.demo;

import io.aepstreams.model.data.Datasets;
import io.aepstreams.model.data.ImageSet;
import java.nio.file.Path;

/** Run in a child JVM by {@link DemoDataTest}: locates the dataset as the demo does and reads its test split. */
public final class DemoDataProbe {
  private DemoDataProbe() {}

  /** Arguments: the installed package's folder (absent in the test), the cache folder as the user typed it. */
  public static void main(String[] args) {
    Path found = DemoData.locate(Path.of(args[0]), Path.of(args[1]));
    ImageSet test = Datasets.read(found, Datasets.Split.TEST, 1, 28, 28);
    System.out.println("found " + found + " with " + test.size() + " test images");
  }
}
