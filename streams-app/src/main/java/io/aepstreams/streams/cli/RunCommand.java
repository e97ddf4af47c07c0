package io.aepstreams.streams.cli;

import io.aepstreams.streams.config.AppConfig;
import io.aepstreams.streams.runtime.PipelineInstance;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "run", mixinStandardHelpOptions = true,
    description = {"Runs one instance of the pipeline until stopped (SIGTERM or Ctrl-C).",
        "Settings come from --config, then AEP_CONFIG_* environment variables (AEP_CONFIG_BOOTSTRAP_SERVERS, "
            + "AEP_CONFIG_AEP_STAGES, ...), then --set and the flags below. aep.* keys are the application's; all "
            + "others (bootstrap.servers, security.protocol, sasl.*, ssl.*, schema.registry.url, ...) go to Kafka "
            + "Streams and its clients as they are."})
final class RunCommand implements Callable<Integer> {
  @Option(names = "--config", description = "A properties file.")
  Path config;

  @Option(names = "--set", description = "key=value, repeatable; wins over the file and the environment.")
  Map<String, String> set = new LinkedHashMap<>();

  @Option(names = "--model", description = "Model bundle (aep.model).")
  String model;

  @Option(names = "--stages", description = "Stage range this instance runs, like 1 or 2-4 (aep.stages; "
      + "default: every stage).")
  String stages;

  @Option(names = "--device", description = "cpu, gpu or gpu:N (aep.device; default: cpu).")
  String device;

  @Override
  public Integer call() throws Exception {
    Properties file = new Properties();
    if (config != null) {
      try (Reader reader = Files.newBufferedReader(config)) {
        file.load(reader);
      } catch (NoSuchFileException e) {
        throw new IllegalArgumentException("no such config file: " + config);
      } catch (IOException e) {
        throw new IllegalArgumentException("cannot read " + config + ": " + e.getMessage());
      }
    }
    Map<String, String> settings = AppConfig.layered(file, System.getenv());
    settings.putAll(set);
    if (model != null) {
      settings.put(AppConfig.MODEL, model);
    }
    if (stages != null) {
      settings.put(AppConfig.STAGES, stages);
    }
    if (device != null) {
      settings.put(AppConfig.DEVICE, device);
    }
    if (!settings.containsKey("bootstrap.servers")) {
      throw new IllegalArgumentException("bootstrap.servers is not set (--config, AEP_CONFIG_BOOTSTRAP_SERVERS or "
          + "--set bootstrap.servers=HOST:PORT)");
    }
    if (!settings.containsKey("schema.registry.url")) {
      throw new IllegalArgumentException("schema.registry.url is not set");
    }
    CountDownLatch stopped = new CountDownLatch(1);
    try (PipelineInstance instance = PipelineInstance.start(AppConfig.from(settings))) {
      Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown, "aep-shutdown"));
      stopped.await();
    }
    return 0;
  }
}
