package io.aepstreams.demo.plan;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aepstreams.streams.handoff.HandoffEncoding;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The agreement of every hand-off encoding with float32, for several backbones at every split point, from their
 * {@code ./aep plan} runs (plan.json): the table the default encoding is chosen from, and the choice.
 */
public final class AgreementTable {
  private AgreementTable() {}

  public static List<PlanReport.Report> read(List<Path> plans) throws IOException {
    ObjectMapper json = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    List<PlanReport.Report> reports = new ArrayList<>();
    for (Path plan : plans) {
      Path file = Files.isDirectory(plan) ? plan.resolve("plan.json") : plan;
      if (!Files.isRegularFile(file)) {
        throw new IllegalArgumentException("no plan.json at " + plan + ": run ./aep plan --out there first");
      }
      reports.add(json.readValue(file.toFile(), PlanReport.Report.class));
    }
    return reports;
  }

  /**
   * The smallest encoding that keeps the decisions (99.9% the same as float32, accuracy within 0.1 points) at every
   * split point of every backbone; empty if none but float32 does.
   */
  public static Optional<HandoffEncoding> smallestKeepingDecisions(List<PlanReport.Report> reports) {
    List<HandoffEncoding> smallestFirst = List.of(HandoffEncoding.INT8, HandoffEncoding.FLOAT16);
    for (HandoffEncoding encoding : smallestFirst) {
      boolean everywhere = reports.stream().flatMap(r -> r.agreements().stream())
          .filter(a -> a.encoding().equals(encoding.setting())).allMatch(HandoffTrial.Agreement::keepsDecisions);
      if (everywhere) {
        return Optional.of(encoding);
      }
    }
    return Optional.empty();
  }

  public static String markdown(List<PlanReport.Report> reports) {
    StringBuilder md = new StringBuilder();
    md.append("Each backbone's test images streamed through every split point with every hand-off encoding "
        + "(./aep plan): the decisions (class and exit) against float32's, the accuracy, and the hand-off record as "
        + "written and on the wire with zstd (in the producer's record batches); crossing per image is that times "
        + "the share of images reaching the next stage (calibration, on validation), against the raw image at the "
        + "model's input size.\n\n");
    md.append("| backbone | split after stage | encoding | images crossing | same class and exit | decisions changed "
        + "| accuracy | against float32 | record bytes (written) | on the wire, zstd | crossing per image (zstd) | "
        + "against the raw image |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (PlanReport.Report r : reports) {
      for (HandoffTrial.Agreement a : r.agreements()) {
        HandoffTrial.Size size = r.sizes().stream().filter(s -> s.split() == a.split()
            && s.encoding().equals(a.encoding())).findFirst().orElseThrow();
        double zstd = size.wireBytes().getOrDefault("zstd", Double.NaN);
        double reach = r.plan().stages().stream().filter(s -> s.stage() == a.split() + 1).findFirst()
            .map(SplitPlan.StageRow::reach).orElse(Double.NaN);
        md.append(String.format(Locale.ROOT, "| %s | %d | %s | %,d of %,d | %.2f%% | %,d | %.2f%% | %+.2f points | %,.0f "
            + "| %,.0f | %,.0f | %.2fx |%n", r.model(), a.split(), a.encoding(), a.crossing(), a.images(),
            100 * a.sameDecisionShare(), a.images() - a.sameDecisions(), 100 * a.accuracy(), a.accuracyDeltaPoints(),
            size.recordBytes(), zstd, reach * zstd, reach * zstd / r.plan().rawImageBytes()));
      }
    }
    Optional<HandoffEncoding> chosen = smallestKeepingDecisions(reports);
    md.append(String.format(Locale.ROOT, "%nThe smallest encoding that keeps at least 99.9%% of the decisions and the "
        + "accuracy within 0.1 points at every split of every backbone above: **%s**.%n",
        chosen.map(HandoffEncoding::setting).orElse("float32 (no smaller one does)")));
    return md.toString();
  }
}
