package io.aepstreams.schemas.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aepstreams.records.ImageRecord;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HttpSchemaRegistryClientTest {
  private static final Schema POINT = SchemaBuilder.record("Point").fields().requiredInt("x").endRecord();
  private static final Schema POINT_V2 = SchemaBuilder.record("Point").fields()
      .requiredInt("x").name("y").type().intType().intDefault(0).endRecord();

  private RegistryHttpStub stub;

  @AfterEach
  void stop() {
    if (stub != null) {
      stub.close();
    }
  }

  private Map<String, Object> config(String url) {
    Map<String, Object> config = new HashMap<>();
    config.put(SchemaRegistryConfig.URL, url);
    config.put(SchemaRegistryConfig.RETRY_BACKOFF_MS, "1");
    return config;
  }

  private HttpSchemaRegistryClient client(Map<String, Object> config) {
    return new HttpSchemaRegistryClient(SchemaRegistryConfig.from(config));
  }

  @Test
  void speaksTheConfluentRestApi() throws IOException {
    stub = new RegistryHttpStub(null);
    HttpSchemaRegistryClient client = client(config(stub.url()));

    int id = client.register("aep.images-value", ImageRecord.getClassSchema());
    assertEquals(List.of("POST /subjects/aep.images-value/versions"), stub.requests);
    assertEquals("application/vnd.schemaregistry.v1+json", stub.contentTypes.get(0));
    assertFalse(stub.bodies.get(0).contains("avro.java.string"), "the canonical text is what gets registered");

    assertEquals(CanonicalSchema.of(ImageRecord.getClassSchema()), client.schemaById(id));
    assertEquals(OptionalInt.of(id), client.idOf("aep.images-value", ImageRecord.getClassSchema()));
    assertEquals(OptionalInt.empty(), client.idOf("aep.images-value", POINT));
    RegisteredSchema latest = client.latest("aep.images-value");
    assertEquals(new RegisteredSchema("aep.images-value", 1, id, CanonicalSchema.of(ImageRecord.getClassSchema())),
        latest);
    assertFalse(client.isCompatible("aep.images-value", POINT));
    assertTrue(client.isCompatible("nobody-value", POINT), "a subject without versions accepts anything");
  }

  @Test
  void registeringTwiceGivesTheSameId() throws IOException {
    stub = new RegistryHttpStub(null);
    HttpSchemaRegistryClient client = client(config(stub.url()));
    assertEquals(client.register("p-value", POINT), client.register("p-value", POINT));
  }

  @Test
  void subjectsAreUrlEncoded() throws IOException {
    stub = new RegistryHttpStub(null);
    client(config(stub.url())).register("odd subject/value", POINT);
    assertEquals("POST /subjects/odd%20subject%2Fvalue/versions", stub.requests.get(0));
  }

  @Test
  void unknownIdIsSchemaNotFoundWithTheRegistryErrorCode() throws IOException {
    stub = new RegistryHttpStub(null);
    SchemaNotFoundException e = assertThrows(SchemaNotFoundException.class,
        () -> client(config(stub.url())).schemaById(77));
    assertEquals(40403, e.errorCode());
    assertTrue(e.getMessage().contains("refused to get schema id 77: HTTP 404"), e.getMessage());
    assertEquals(3, stub.requests.size(), "an id another node of the registry may not know yet is asked again"
        + " twice, then it is an answer");
  }

  @Test
  void incompatibleRegistrationIsAConflict() throws IOException {
    stub = new RegistryHttpStub(null);
    HttpSchemaRegistryClient client = client(config(stub.url()));
    client.register("p-value", POINT);
    Schema breaking = SchemaBuilder.record("Point").fields().requiredString("x").endRecord();
    IncompatibleSchemaException e = assertThrows(IncompatibleSchemaException.class,
        () -> client.register("p-value", breaking));
    assertEquals(409, e.httpStatus());
  }

  @Test
  void aConflictOverAnIdenticalSchemaIsALostRaceAndGivesTheRegisteredId() throws IOException {
    stub = new RegistryHttpStub(null);
    stub.registrationsLosingARace.set(1);
    int id = client(config(stub.url())).register("p-value", POINT);
    assertEquals(stub.backend.idOf("p-value", POINT).getAsInt(), id);
    assertEquals(List.of("POST /subjects/p-value/versions", "POST /subjects/p-value"), stub.requests,
        "one registration answered 409, then a look-up found the schema");
  }

  @Test
  void aConflictWhoseSchemaNeverAppearsIsAnIncompatibility() throws IOException {
    stub = new RegistryHttpStub(null);
    HttpSchemaRegistryClient client = client(config(stub.url()));
    client.register("p-value", POINT);
    stub.requests.clear();
    Schema breaking = SchemaBuilder.record("Point").fields().requiredString("x").endRecord();
    assertThrows(IncompatibleSchemaException.class, () -> client.register("p-value", breaking));
    assertEquals(6, stub.requests.size(), "three registrations, each followed by a look-up: " + stub.requests);
  }

  @Test
  void serverErrorsAreRetriedWithBackoff() throws IOException {
    stub = new RegistryHttpStub(null);
    stub.failuresToServe.set(2);
    int id = client(config(stub.url())).register("p-value", POINT);
    assertEquals(1, id);
    assertEquals(3, stub.requests.size());
  }

  @Test
  void givesUpAfterMaxRetriesWithTheLastAnswer() throws IOException {
    stub = new RegistryHttpStub(null);
    stub.failuresToServe.set(100);
    Map<String, Object> config = config(stub.url());
    config.put(SchemaRegistryConfig.MAX_RETRIES, "2");
    SchemaRegistryException e = assertThrows(SchemaRegistryException.class,
        () -> client(config).register("p-value", POINT));
    assertEquals(503, e.httpStatus());
    assertTrue(e.getMessage().contains("HTTP 503 (50301) injected failure"), e.getMessage());
    assertEquals(3, stub.requests.size());
  }

  @Test
  void clientErrorsAreNotRetried() throws IOException {
    stub = new RegistryHttpStub(null);
    stub.failureStatus = 422;
    stub.failuresToServe.set(1);
    SchemaRegistryException e = assertThrows(SchemaRegistryException.class,
        () -> client(config(stub.url())).register("p-value", POINT));
    assertEquals(422, e.httpStatus());
    assertEquals(1, stub.requests.size());
  }

  @Test
  void slowRegistryTimesOutWithAClearMessage() throws IOException {
    stub = new RegistryHttpStub(null);
    stub.delayMillis = 2_000;
    Map<String, Object> config = config(stub.url());
    config.put(SchemaRegistryConfig.REQUEST_TIMEOUT_MS, "200");
    config.put(SchemaRegistryConfig.MAX_RETRIES, "0");
    SchemaRegistryException e = assertThrows(SchemaRegistryException.class,
        () -> client(config).schemaById(1));
    assertTrue(e.getMessage().contains("did not answer within 200 ms to get schema id 1"), e.getMessage());
  }

  @Test
  void failsOverToTheNextUrl() throws IOException {
    stub = new RegistryHttpStub(null);
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    int id = client(config("http://127.0.0.1:" + closedPort + "," + stub.url())).register("p-value", POINT);
    assertEquals(1, id);
    assertEquals(1, stub.requests.size());
  }

  @Test
  void unreachableRegistrySaysWhere() throws IOException {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    Map<String, Object> config = config("http://127.0.0.1:" + closedPort);
    config.put(SchemaRegistryConfig.MAX_RETRIES, "1");
    SchemaRegistryException e = assertThrows(SchemaRegistryException.class,
        () -> client(config).register("p-value", POINT));
    assertTrue(e.getMessage().startsWith("cannot reach the Schema Registry at http://127.0.0.1:" + closedPort),
        e.getMessage());
  }

  @Test
  void basicAuthFromUserInfo() throws IOException {
    stub = new RegistryHttpStub(null);
    stub.requiredAuthorization = "Basic " + Base64.getEncoder()
        .encodeToString("alice:s3cret".getBytes(StandardCharsets.UTF_8));
    Map<String, Object> config = config(stub.url());
    config.put(SchemaRegistryConfig.CREDENTIALS_SOURCE, "USER_INFO");
    config.put(SchemaRegistryConfig.USER_INFO, "alice:s3cret");
    assertEquals(1, client(config).register("p-value", POINT));

    Map<String, Object> wrong = config(stub.url());
    wrong.put(SchemaRegistryConfig.USER_INFO, "alice:guess");
    SchemaRegistryException e = assertThrows(SchemaRegistryException.class,
        () -> client(wrong).register("p-value", POINT));
    assertEquals(401, e.httpStatus());
  }

  @Test
  void aRedirectIsNotFollowedSoTheCredentialsStayWithTheRegistry() throws IOException {
    stub = new RegistryHttpStub(null);
    try (RegistryHttpStub elsewhere = new RegistryHttpStub(null)) {
      stub.redirectTo = elsewhere.url();
      Map<String, Object> config = config(stub.url());
      config.put(SchemaRegistryConfig.USER_INFO, "alice:s3cret");
      SchemaRegistryException e = assertThrows(SchemaRegistryException.class,
          () -> client(config).register("p-value", POINT));
      assertEquals(307, e.httpStatus());
      assertEquals(List.of(), elsewhere.requests, "nothing, and no Authorization header, went where it pointed");
    }
  }

  @Test
  void basicAuthFromTheUrl() throws IOException {
    stub = new RegistryHttpStub(null);
    stub.requiredAuthorization = "Basic " + Base64.getEncoder()
        .encodeToString("bob:pw".getBytes(StandardCharsets.UTF_8));
    Map<String, Object> config = config(stub.url().replace("http://", "http://bob:pw@"));
    config.put(SchemaRegistryConfig.CREDENTIALS_SOURCE, "URL");
    assertEquals(1, client(config).register("p-value", POINT));
  }

  @Test
  void cachedClientMakesNoCallAfterTheFirst() throws IOException {
    stub = new RegistryHttpStub(null);
    SchemaRegistryClient client = SchemaRegistries.connect(config(stub.url()));
    assertInstanceOf(CachingSchemaRegistryClient.class, client);
    int id = client.register("p-value", POINT);
    for (int i = 0; i < 5; i++) {
      assertEquals(id, client.register("p-value", POINT));
      assertEquals(POINT, client.schemaById(id));
      assertEquals(OptionalInt.of(id), client.idOf("p-value", POINT));
    }
    assertEquals(1, stub.requests.size(), stub.requests.toString());
    client.register("p-value", POINT_V2);
    assertEquals(2, client.latest("p-value").version(), "latest always asks");
  }

  @Test
  void tlsWithATrustStore(@TempDir Path dir) throws Exception {
    Path serverStore = dir.resolve("server.p12");
    Path trustStore = dir.resolve("trust.p12");
    Path cert = dir.resolve("registry.pem");
    keytool("-genkeypair", "-alias", "registry", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=127.0.0.1",
        "-ext", "SAN=ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12", "-keystore", serverStore.toString(),
        "-storepass", "changeit", "-keypass", "changeit");
    keytool("-exportcert", "-alias", "registry", "-keystore", serverStore.toString(), "-storepass", "changeit",
        "-rfc", "-file", cert.toString());
    keytool("-importcert", "-noprompt", "-alias", "registry", "-file", cert.toString(), "-storetype", "PKCS12",
        "-keystore", trustStore.toString(), "-storepass", "changeit");
    stub = new RegistryHttpStub(serverTls(serverStore));

    Map<String, Object> config = config(stub.url());
    config.put(SchemaRegistryConfig.TRUSTSTORE_LOCATION, trustStore.toString());
    config.put(SchemaRegistryConfig.TRUSTSTORE_PASSWORD, "changeit");
    assertEquals(1, client(config).register("p-value", POINT));

    Map<String, Object> untrusted = config(stub.url());
    untrusted.put(SchemaRegistryConfig.MAX_RETRIES, "0");
    SchemaRegistryException e = assertThrows(SchemaRegistryException.class,
        () -> client(untrusted).register("p-value", POINT));
    assertTrue(e.getMessage().contains("cannot reach the Schema Registry at https://"), e.getMessage());
  }

  @Test
  void missingTrustStoreIsAConfigError() {
    Map<String, Object> config = config("https://127.0.0.1:1");
    config.put(SchemaRegistryConfig.TRUSTSTORE_LOCATION, "/no/such/trust.p12");
    ConfigException e = assertThrows(ConfigException.class, () -> client(config));
    assertTrue(e.getMessage().contains(SchemaRegistryConfig.TRUSTSTORE_LOCATION), e.getMessage());
  }

  private static SSLContext serverTls(Path store) throws Exception {
    KeyStore keys = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(store)) {
      keys.load(in, "changeit".toCharArray());
    }
    KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    factory.init(keys, "changeit".toCharArray());
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(factory.getKeyManagers(), null, null);
    return context;
  }

  private static void keytool(String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(60, TimeUnit.SECONDS), "keytool hung");
    assertEquals(0, process.exitValue(), "keytool " + args[0] + " failed: " + output);
  }
}
