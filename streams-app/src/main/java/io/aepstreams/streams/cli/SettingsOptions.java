package io.aepstreams.streams.cli;

import io.aepstreams.streams.config.AppConfig;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import picocli.CommandLine.Option;

/** The settings every command that talks to the cluster reads: a file, AEP_CONFIG_* variables, --set, --model. */
final class SettingsOptions {
  @Option(names = "--config", description = "A properties file.")
  Path config;

  @Option(names = "--set", description = "key=value, repeatable; wins over the file and the environment.")
  Map<String, String> set = new LinkedHashMap<>();

  @Option(names = "--model", description = "Model bundle (aep.model).")
  String model;

  /** The layered settings, checked for what every command needs: the brokers and the registry. */
  Map<String, String> settings() {
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
    if (!settings.containsKey("bootstrap.servers")) {
      throw new IllegalArgumentException("bootstrap.servers is not set (--config, AEP_CONFIG_BOOTSTRAP_SERVERS or "
          + "--set bootstrap.servers=HOST:PORT)");
    }
    if (!settings.containsKey("schema.registry.url")) {
      throw new IllegalArgumentException("schema.registry.url is not set");
    }
    return settings;
  }
}
