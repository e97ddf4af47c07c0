package io.aepstreams.streams.cli;

import io.aepstreams.streams.config.AppConfig;
import io.aepstreams.streams.runtime.PipelineInstance;
import io.aepstreams.streams.runtime.StopSignal;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "run", mixinStandardHelpOptions = true,
    description = {"Runs one instance of the pipeline until stopped (SIGTERM or Ctrl-C).",
        "Settings come from --config, then AEP_CONFIG_* environment variables (AEP_CONFIG_BOOTSTRAP_SERVERS, "
            + "AEP_CONFIG_AEP_STAGES, ...), then --set and the flags below. aep.* keys are the application's; all "
            + "others (bootstrap.servers, security.protocol, sasl.*, ssl.*, schema.registry.url, ...) go to Kafka "
            + "Streams and its clients as they are."})
final class RunCommand implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);

  @Mixin
  SettingsOptions options;

  @Option(names = "--stages", description = "Stage range this instance runs, like 1 or 2-4 (aep.stages; "
      + "default: every stage).")
  String stages;

  @Option(names = "--device", description = "cpu, gpu or gpu:N (aep.device; default: cpu).")
  String device;

  @Override
  public Integer call() throws Exception {
    // First of all, so that a SIGTERM while the model loads is a clean stop too.
    StopSignal stop = StopSignal.install(PipelineInstance.CLOSE_TIMEOUT);
    try {
      Map<String, String> settings = options.settings();
      if (stages != null) {
        settings.put(AppConfig.STAGES, stages);
      }
      if (device != null) {
        settings.put(AppConfig.DEVICE, device);
      }
      PipelineInstance instance = PipelineInstance.start(AppConfig.from(settings));
      boolean failed = false;
      while (!stop.await(Duration.ofMillis(200))) {
        if (instance.failure().isDone()) {
          failed = true;
          break;
        }
      }
      LOG.info(failed ? "stages {} failed: stopping" : "stopping stages {}: flushing, committing, leaving the group",
          instance.range());
      boolean clean = instance.close(PipelineInstance.CLOSE_TIMEOUT);
      if (clean) {
        LOG.info("stages {} stopped cleanly", instance.range());
      }
      return failed || !clean ? 1 : 0;
    } finally {
      stop.stopped();
    }
  }
}
