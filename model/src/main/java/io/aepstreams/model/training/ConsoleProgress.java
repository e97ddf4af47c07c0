package io.aepstreams.model.training;

import java.io.PrintStream;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * A progress bar per epoch with loss and images/s, then a line with the validation figures. On a terminal the bar
 * redraws in place; in a log (CI, a pipe) it prints a line every quarter of an epoch instead.
 */
public final class ConsoleProgress implements TrainingListener {
  private static final int WIDTH = 30;
  private final PrintStream out;
  private final boolean terminal;
  private final String label;
  private final int maxEpochs;
  private int lastQuarter = -1;

  public ConsoleProgress(PrintStream out, String label, int maxEpochs) {
    this(out, label, maxEpochs, System.console() != null);
  }

  ConsoleProgress(PrintStream out, String label, int maxEpochs, boolean terminal) {
    this.out = out;
    this.label = label;
    this.maxEpochs = maxEpochs;
    this.terminal = terminal;
  }

  @Override
  public void onBatch(int epoch, int done, int total, double meanLoss, double imagesPerSecond) {
    double fraction = (double) done / total;
    String line = String.format(Locale.ROOT, "%s epoch %d/%d [%s] %3.0f%% loss %.4f %,.0f img/s", label, epoch,
        maxEpochs, bar(fraction), fraction * 100, meanLoss, imagesPerSecond);
    if (terminal) {
      out.print("\r" + line);
      out.flush();
    } else {
      int quarter = (int) (fraction * 4);
      if (quarter != lastQuarter && (quarter > 0 || done == total)) {
        out.println(line);
        lastQuarter = quarter;
      }
    }
  }

  @Override
  public void onEpoch(EpochStats stats, boolean best) {
    if (terminal) {
      out.println();
    }
    lastQuarter = -1;
    out.println(String.format(Locale.ROOT,
        "%s epoch %d: train loss %.4f, val loss %.4f, val acc per exit [%s], ensemble %.2f%%%s (%.0f s)",
        label, stats.epoch(), stats.trainLoss(), stats.validationLoss(),
        stats.exitAccuracies().stream().map(a -> String.format(Locale.ROOT, "%.2f", a * 100))
            .collect(Collectors.joining(", ")),
        stats.ensembleAccuracy() * 100, best ? " (best so far, kept)" : "", stats.seconds()));
  }

  @Override
  public void onEarlyStop(int epoch, int bestEpoch) {
    out.println(label + " early stop after epoch " + epoch + ": validation loss stopped improving; keeping epoch "
        + bestEpoch);
  }

  @Override
  public void onResume(int epochsDone, int bestEpoch, java.nio.file.Path dir) {
    out.println(label + " resuming from " + dir + " after epoch " + epochsDone + " (best so far: epoch " + bestEpoch
        + ")");
  }

  private static String bar(double fraction) {
    int filled = (int) Math.round(fraction * WIDTH);
    return "=".repeat(filled) + " ".repeat(WIDTH - filled);
  }
}
