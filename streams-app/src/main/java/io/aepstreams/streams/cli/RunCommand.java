package io.aepstreams.streams.cli;

import io.aepstreams.streams.config.AppConfig;
import io.aepstreams.streams.runtime.PipelineInstance;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
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
  @Mixin
  SettingsOptions options;

  @Option(names = "--stages", description = "Stage range this instance runs, like 1 or 2-4 (aep.stages; "
      + "default: every stage).")
  String stages;

  @Option(names = "--device", description = "cpu, gpu or gpu:N (aep.device; default: cpu).")
  String device;

  @Override
  public Integer call() throws Exception {
    Map<String, String> settings = options.settings();
    if (stages != null) {
      settings.put(AppConfig.STAGES, stages);
    }
    if (device != null) {
      settings.put(AppConfig.DEVICE, device);
    }
    CountDownLatch stopped = new CountDownLatch(1);
    try (PipelineInstance instance = PipelineInstance.start(AppConfig.from(settings))) {
      Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown, "aep-shutdown"));
      stopped.await();
    }
    return 0;
  }
}
