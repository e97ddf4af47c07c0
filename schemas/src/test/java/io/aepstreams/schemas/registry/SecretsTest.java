package io.aepstreams.schemas.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class SecretsTest {
  private static final String JAAS = "org.apache.kafka.common.security.plain.PlainLoginModule required "
      + "username=\"aep\" password=\"s3cr3t-jaas\";";

  @Test
  void credentialKeysAreHiddenAndUrlUserInfoToo() {
    Map<String, String> shown = Secrets.shown(Map.of(
        "sasl.jaas.config", JAAS,
        "basic.auth.user.info", "reg:s3cr3t-reg",
        "ssl.truststore.password", "s3cr3t-ts",
        "ssl.key.password", "s3cr3t-key",
        "schema.registry.url", "https://reg:s3cr3t-url@registry:8081,https://other:8081",
        "bootstrap.servers", "broker:9092",
        "security.protocol", "SASL_SSL"));
    String text = shown.toString();
    for (String secret : new String[] {"s3cr3t-jaas", "s3cr3t-reg", "s3cr3t-ts", "s3cr3t-key", "s3cr3t-url"}) {
      assertFalse(text.contains(secret), secret + " in " + text);
    }
    assertEquals("https://[hidden]@registry:8081,https://other:8081", shown.get("schema.registry.url"));
    assertEquals("broker:9092", shown.get("bootstrap.servers"));
    assertEquals("SASL_SSL", shown.get("security.protocol"));
    assertTrue(Secrets.isSecret("sasl.jaas.config"));
    assertFalse(Secrets.isSecret("sasl.mechanism"));
  }

  @Test
  void theRegistryConfigPrintsAndComplainsWithoutItsCredentials() {
    SchemaRegistryConfig config = SchemaRegistryConfig.from(Map.of(
        SchemaRegistryConfig.URL, "https://reg:s3cr3t-url@registry:8081",
        SchemaRegistryConfig.CREDENTIALS_SOURCE, "URL",
        SchemaRegistryConfig.KEY_PASSWORD, "s3cr3t-key"));
    assertEquals("reg:s3cr3t-url", config.userInfo().orElseThrow(), "the credentials are still used");
    assertFalse(config.toString().contains("s3cr3t"), config.toString());
    ConfigException bad = assertThrows(ConfigException.class, () -> SchemaRegistryConfig.from(Map.of(
        SchemaRegistryConfig.URL, "ftp://reg:s3cr3t-url@registry:8081")));
    assertFalse(bad.getMessage().contains("s3cr3t"), bad.getMessage());
  }
}
