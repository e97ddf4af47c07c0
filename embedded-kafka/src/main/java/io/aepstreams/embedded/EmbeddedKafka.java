package io.aepstreams.embedded;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.utils.Time;

/**
 * A single-node Kafka (KRaft: broker and controller in one) inside this JVM, on free loopback ports, with its data
 * in a temporary folder removed on close. The storage is formatted as {@code kafka-storage.sh format} does, then the
 * server started as {@code kafka-server-start.sh} does. For the demo and the integration tests.
 */
public final class EmbeddedKafka implements AutoCloseable {
  private final Path dir;
  private final Properties props;
  private final Map<String, String> clientSecurity;
  private volatile KafkaRaftServer server;
  private final String bootstrap;

  private EmbeddedKafka(Path dir, Properties props, KafkaRaftServer server, String bootstrap,
      Map<String, String> clientSecurity) {
    this.props = props;
    this.clientSecurity = clientSecurity;
    this.dir = dir;
    this.server = server;
    this.bootstrap = bootstrap;
  }

  /** Formats storage, starts the server and waits until it answers. */
  public static EmbeddedKafka start() {
    return start(Map.of(), Map.of());
  }

  /**
   * A broker whose client listener asks for SASL/PLAIN; {@code users} maps user names to passwords. Clients need
   * {@link #clientSecurity(String, String)}.
   */
  public static EmbeddedKafka startWithSaslPlain(Map<String, String> users) {
    StringBuilder jaas = new StringBuilder("org.apache.kafka.common.security.plain.PlainLoginModule required");
    users.forEach((user, password) -> jaas.append(" user_").append(user).append("=\"").append(password)
        .append('"'));
    Map.Entry<String, String> broker = users.entrySet().iterator().next();
    jaas.append(" username=\"").append(broker.getKey()).append("\" password=\"").append(broker.getValue())
        .append("\";");
    return start(Map.of(
        "sasl.enabled.mechanisms", "PLAIN",
        "sasl.mechanism.inter.broker.protocol", "PLAIN",
        "listener.name.client.plain.sasl.jaas.config", jaas.toString(),
        "listener.security.protocol.map", "CLIENT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT"),
        clientSecurity(broker.getKey(), broker.getValue()));
  }

  /** Client settings for a SASL/PLAIN user of {@link #startWithSaslPlain}. */
  public static Map<String, String> clientSecurity(String user, String password) {
    return Map.of("security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", "PLAIN", "sasl.jaas.config",
        "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + user + "\" password=\""
            + password + "\";");
  }

  private static EmbeddedKafka start(Map<String, String> brokerSecurity, Map<String, String> adminSecurity) {
    // The broker closes its controller-registration client twice on shutdown and warns about it; nothing a user
    // can act on. Its clients share the logger with ours, and this JVM's clients only talk to this broker on
    // loopback, so their connection warnings would be just as empty. Set before any Kafka client makes the logger.
    System.setProperty("org.slf4j.simpleLogger.log.org.apache.kafka.clients.NetworkClient", "error");
    // Two instances starting together both ask for __consumer_offsets; the loser's TOPIC_ALREADY_EXISTS is a warning
    // about a race it won anyway. The project creates its own topics, so only internal ones are auto-created here.
    System.setProperty("org.slf4j.simpleLogger.log.org.apache.kafka.server.DefaultAutoTopicCreationManager", "error");
    try {
      Path dir = Files.createTempDirectory("aep-kafka-");
      int brokerPort = freePort();
      int controllerPort = freePort();
      Properties props = new Properties();
      props.put("process.roles", "broker,controller");
      props.put("node.id", "1");
      props.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
      // The client listener is named CLIENT; it speaks PLAINTEXT unless SASL was asked for.
      props.put("listeners", "CLIENT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
      props.put("advertised.listeners", "CLIENT://127.0.0.1:" + brokerPort);
      props.put("controller.listener.names", "CONTROLLER");
      props.put("listener.security.protocol.map", "CLIENT:PLAINTEXT,CONTROLLER:PLAINTEXT");
      props.put("inter.broker.listener.name", "CLIENT");
      props.putAll(brokerSecurity);
      props.put("log.dirs", dir.resolve("data").toString());
      props.put("offsets.topic.replication.factor", "1");
      props.put("offsets.topic.num.partitions", "4");
      props.put("transaction.state.log.replication.factor", "1");
      props.put("transaction.state.log.min.isr", "1");
      props.put("share.coordinator.state.topic.replication.factor", "1");
      props.put("share.coordinator.state.topic.min.isr", "1");
      props.put("group.initial.rebalance.delay.ms", "0");
      props.put("auto.create.topics.enable", "false");
      props.put("log.flush.interval.messages", String.valueOf(Long.MAX_VALUE));
      Path config = dir.resolve("server.properties");
      try (var out = Files.newBufferedWriter(config)) {
        props.store(out, "AEP Streams embedded broker");
      }
      ByteArrayOutputStream formatLog = new ByteArrayOutputStream();
      int formatted = StorageTool.execute(new String[] {"format", "-t", Uuid.randomUuid().toString(), "-c",
          config.toString(), "--ignore-formatted"}, new PrintStream(formatLog, true, StandardCharsets.UTF_8));
      if (formatted != 0) {
        throw new IllegalStateException("formatting the embedded broker's storage failed: " + formatLog);
      }
      KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
      server.startup();
      EmbeddedKafka kafka = new EmbeddedKafka(dir, props, server, "127.0.0.1:" + brokerPort, adminSecurity);
      kafka.awaitReady(Duration.ofSeconds(60));
      return kafka;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the embedded broker", e);
    }
  }

  /** The value for {@code bootstrap.servers}. */
  public String bootstrapServers() {
    return bootstrap;
  }

  private Admin admin() {
    Map<String, Object> settings = new HashMap<>(clientSecurity);
    settings.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    return Admin.create(settings);
  }

  private void awaitReady(Duration limit) {
    Instant deadline = Instant.now().plus(limit);
    Exception last = null;
    while (Instant.now().isBefore(deadline)) {
      try (Admin admin = admin()) {
        if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
          return;
        }
      } catch (Exception e) {
        last = e;
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    throw new IllegalStateException("the embedded broker did not start within " + limit, last);
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  /**
   * Stops the broker, waits {@code down}, and starts it again on the same ports with the same data: an outage for
   * fault tests. Clients see their connections drop and come back.
   */
  public synchronized void restart(Duration down) throws InterruptedException {
    server.shutdown();
    server.awaitShutdown();
    Thread.sleep(down.toMillis());
    server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
    server.startup();
    awaitReady(Duration.ofSeconds(60));
  }

  @Override
  public void close() {
    server.shutdown();
    server.awaitShutdown();
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      // a temporary folder left behind is not worth failing for
    }
  }
}
