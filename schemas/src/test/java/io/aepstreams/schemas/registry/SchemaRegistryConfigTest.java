package io.aepstreams.schemas.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;
import org.junit.jupiter.api.Test;

class SchemaRegistryConfigTest {

  @Test
  void defaults() {
    SchemaRegistryConfig config = SchemaRegistryConfig.from(Map.of(SchemaRegistryConfig.URL, "http://r:8081/"));
    assertEquals(List.of(URI.create("http://r:8081/")), config.urls());
    assertEquals(Optional.empty(), config.userInfo());
    assertEquals(Duration.ofSeconds(5), config.connectTimeout());
    assertEquals(Duration.ofSeconds(10), config.requestTimeout());
    assertEquals(3, config.maxRetries());
  }

  @Test
  void severalUrlsAndCredentialsInTheUrl() {
    SchemaRegistryConfig config = SchemaRegistryConfig.from(Map.of(
        SchemaRegistryConfig.URL, "https://u:p@a:1/apis/ccompat/v7, https://b:2",
        SchemaRegistryConfig.CREDENTIALS_SOURCE, "url"));
    assertEquals(List.of(URI.create("https://a:1/apis/ccompat/v7"), URI.create("https://b:2")), config.urls());
    assertEquals(Optional.of("u:p"), config.userInfo());
  }

  @Test
  void kafkaPasswordValuesAreRead() {
    SchemaRegistryConfig config = SchemaRegistryConfig.from(Map.of(
        SchemaRegistryConfig.URL, "https://r",
        SchemaRegistryConfig.USER_INFO, new Password("u:p")));
    assertEquals(Optional.of("u:p"), config.userInfo());
  }

  @Test
  void aPasswordIsNotSentInClearTextToAnotherHostUnlessAskedFor() {
    assertMessage(Map.of(SchemaRegistryConfig.URL, "https://a:1,http://registry:8081",
        SchemaRegistryConfig.USER_INFO, "u:p"), "is plain http: the registry's password would cross the network");
    assertEquals(Optional.of("u:p"), SchemaRegistryConfig.from(Map.of(SchemaRegistryConfig.URL,
        "http://registry:8081", SchemaRegistryConfig.USER_INFO, "u:p",
        SchemaRegistryConfig.ALLOW_CLEAR_TEXT_AUTH, "true")).userInfo());
    assertEquals(Optional.of("u:p"), SchemaRegistryConfig.from(Map.of(SchemaRegistryConfig.URL,
        "http://127.0.0.1:8081", SchemaRegistryConfig.USER_INFO, "u:p")).userInfo(), "this machine's loopback");
    assertEquals(Optional.empty(), SchemaRegistryConfig.from(Map.of(SchemaRegistryConfig.URL,
        "http://registry:8081")).userInfo(), "no password, nothing to protect");
  }

  @Test
  void errorsNameTheKey() {
    assertMessage(Map.of(), SchemaRegistryConfig.URL);
    assertMessage(Map.of(SchemaRegistryConfig.URL, "ftp://r"), "must start with http://, https:// or mock://");
    assertMessage(Map.of(SchemaRegistryConfig.URL, "http://r", SchemaRegistryConfig.MAX_RETRIES, "many"),
        SchemaRegistryConfig.MAX_RETRIES);
    assertMessage(Map.of(SchemaRegistryConfig.URL, "http://r", SchemaRegistryConfig.REQUEST_TIMEOUT_MS, "0"),
        SchemaRegistryConfig.REQUEST_TIMEOUT_MS);
    assertMessage(Map.of(SchemaRegistryConfig.URL, "http://r", SchemaRegistryConfig.CREDENTIALS_SOURCE, "SASL"),
        SchemaRegistryConfig.CREDENTIALS_SOURCE);
    assertMessage(Map.of(SchemaRegistryConfig.URL, "http://r", SchemaRegistryConfig.USER_INFO, "nocolon"),
        "must be user:password");
  }

  private static void assertMessage(Map<String, Object> configs, String expected) {
    ConfigException e = assertThrows(ConfigException.class, () -> SchemaRegistryConfig.from(configs));
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }
}
