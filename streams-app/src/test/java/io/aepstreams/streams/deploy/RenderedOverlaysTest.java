package io.aepstreams.streams.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.aepstreams.streams.config.AppConfig;
import io.aepstreams.streams.config.StageRange;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import org.apache.kafka.common.config.TopicConfig;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every overlay under deploy/k8s, rendered with {@code kubectl kustomize} as {@code kubectl apply -k} would, then read
 * back with fabric8's Kubernetes model and checked for what matters: probes, GPUs on the deep stages only, one
 * application id per stage range, topics, autoscaling on the right lag, and credentials kept out of ConfigMaps. The
 * instances' settings are worked out with the application's own {@link AppConfig}, from the rendered ConfigMap and
 * each Deployment's environment, as a pod would.
 */
class RenderedOverlaysTest {
  private static final Path OVERLAYS = Path.of("..", "deploy", "k8s", "overlays").toAbsolutePath().normalize();
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The rendered objects of one overlay, by kind. */
  private record Rendered(List<JsonNode> all) {
    <T> List<T> of(String kind, Class<T> type) {
      return all.stream().filter(o -> kind.equals(o.path("kind").asText())).map(o -> JSON.convertValue(o, type))
          .toList();
    }

    List<GenericKubernetesResource> custom(String kind) {
      return of(kind, GenericKubernetesResource.class);
    }
  }

  static Rendered render(String overlay) throws IOException, InterruptedException {
    Process kubectl;
    try {
      kubectl = new ProcessBuilder("kubectl", "kustomize", OVERLAYS.resolve(overlay).toString()).start();
    } catch (IOException e) {
      fail("kubectl is needed to render deploy/k8s (Debian: apt-get install kubernetes-client; .ci/run installs it): "
          + e.getMessage());
      throw e;
    }
    String yaml = new String(kubectl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String errors = new String(kubectl.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(kubectl.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, kubectl.exitValue(), errors);
    List<JsonNode> objects = new ArrayList<>();
    try (var parser = new YAMLFactory().createParser(yaml)) {
      var values = new ObjectMapper(new YAMLFactory()).readValues(parser, JsonNode.class);
      while (values.hasNext()) {
        JsonNode node = values.next();
        if (node != null && !node.isNull() && !node.isEmpty()) {
          objects.add(node);
        }
      }
    }
    return new Rendered(objects);
  }

  /** The settings a pod of {@code deployment} starts with: the ConfigMap's app.properties and its environment. */
  private static AppConfig settings(Rendered rendered, Deployment deployment) throws IOException {
    ConfigMap config = rendered.of("ConfigMap", ConfigMap.class).stream()
        .filter(c -> c.getMetadata().getName().equals("aep-config")).findFirst().orElseThrow();
    Properties file = new Properties();
    file.load(new StringReader(config.getData().get("app.properties")));
    Map<String, String> environment = new HashMap<>();
    Container container = container(deployment);
    for (EnvVar env : container.getEnv()) {
      var resource = env.getValueFrom() == null ? null : env.getValueFrom().getResourceFieldRef();
      environment.put(env.getName(), env.getValue() != null ? env.getValue()
          : resource != null ? String.valueOf(requested(container, resource.getResource()))
          : "from-" + env.getName());
    }
    return AppConfig.from(AppConfig.layered(file, environment));
  }

  /** What the kubelet puts in an env var from {@code requests.cpu}: the request in whole cores, rounded up. */
  private static long requested(Container container, String resource) {
    assertTrue(resource.startsWith("requests."), resource);
    Quantity quantity = container.getResources().getRequests().get(resource.substring("requests.".length()));
    assertNotNull(quantity, container.getName() + " requests no " + resource);
    return Quantity.getAmountInBytes(quantity).setScale(0, java.math.RoundingMode.CEILING).longValueExact();
  }

  private static Container container(Deployment deployment) {
    List<Container> containers = deployment.getSpec().getTemplate().getSpec().getContainers();
    assertEquals(1, containers.size(), deployment.getMetadata().getName());
    return containers.get(0);
  }

  @ParameterizedTest
  @ValueSource(strings = {"single", "split"})
  void overlaysRenderWhatAPlatformTeamExpects(String overlay) throws Exception {
    Rendered rendered = render(overlay);
    List<String> names = new ArrayList<>();
    rendered.all().forEach(o -> names.add(o.path("kind").asText() + "/" + o.path("metadata").path("name").asText()));
    System.out.println("rendered " + overlay + ": " + String.join(", ", names));

    List<Deployment> deployments = rendered.of("Deployment", Deployment.class);
    assertFalse(deployments.isEmpty());
    Map<String, AppConfig> configs = new HashMap<>();
    Map<String, StageRange> ranges = new HashMap<>();
    Set<String> applicationIds = new HashSet<>();
    TreeSet<Integer> covered = new TreeSet<>();
    for (Deployment deployment : deployments) {
      String name = deployment.getMetadata().getName();
      AppConfig config = settings(rendered, deployment);
      StageRange range = config.stages().orElseThrow(() -> new AssertionError(name + " names no stage range"));
      configs.put(name, config);
      ranges.put(name, range);
      assertTrue(applicationIds.add(config.applicationId(range)), "one application id per stage range: " + name);
      for (int stage = range.first(); stage <= range.last(); stage++) {
        assertTrue(covered.add(stage), "stage " + stage + " served twice");
      }

      Container aep = container(deployment);
      int port = config.httpPort().orElseThrow(() -> new AssertionError("aep.http.port is not set"));
      assertEquals(port, aep.getPorts().get(0).getContainerPort());
      assertProbe(aep.getLivenessProbe(), "/health/live", name);
      assertProbe(aep.getReadinessProbe(), "/health/ready", name);
      assertProbe(aep.getStartupProbe(), "/health/live", name);
      assertNotNull(aep.getResources().getRequests().get("cpu"), name + " requests CPU");
      // the threads share out the cores the pod asks for, not the node's (which the JVM would see)
      long cores = requested(aep, "requests.cpu");
      // named, not left to the default, which would count the node's cores
      String fromRequest = config.device().equals("cpu") ? "AEP_CONFIG_NUM_STREAM_THREADS"
          : "AEP_CONFIG_AEP_ENGINE_THREADS";
      assertTrue(aep.getEnv().stream().anyMatch(e -> e.getName().equals(fromRequest) && e.getValueFrom() != null
          && e.getValueFrom().getResourceFieldRef() != null
          && e.getValueFrom().getResourceFieldRef().getResource().equals("requests.cpu")), name + ": " + fromRequest);
      assertEquals(config.device().equals("cpu") ? cores : 1, config.threads().streamThreads(), name);
      assertEquals(config.device().equals("cpu") ? 1 : cores, config.threads().engineThreads(), name);
      assertNotNull(aep.getResources().getRequests().get("memory"), name + " requests memory");
      assertNotNull(aep.getResources().getLimits().get("memory"), name + " limits memory");
      var pod = deployment.getSpec().getTemplate().getSpec();
      assertTrue(pod.getSecurityContext().getRunAsNonRoot(), name + " runs as non-root");
      assertTrue(pod.getTerminationGracePeriodSeconds() >= 26, "the grace period covers the 25 s close: " + name);
      assertTrue(pod.getInitContainers().stream().anyMatch(c -> c.getName().equals("model")),
          name + " gets its model from an init container");

      Quantity gpus = aep.getResources().getLimits().get("nvidia.com/gpu");
      boolean deep = overlay.equals("split") && range.first() > 1;
      assertEquals(deep, gpus != null, "GPU limits on the deep stages only: " + name);
      assertEquals(deep, config.device().equals("gpu"), "aep.device=gpu exactly where a GPU is asked for: " + name);
      if (deep) {
        assertEquals("1", gpus.getAmount());
        assertEquals("true", pod.getNodeSelector().get("nvidia.com/gpu.present"), name);
        assertTrue(pod.getTolerations().stream().anyMatch(t -> "nvidia.com/gpu".equals(t.getKey())), name);
      } else {
        assertTrue(pod.getNodeSelector() == null || !pod.getNodeSelector().containsKey("nvidia.com/gpu.present"));
      }

      var labels = deployment.getSpec().getSelector().getMatchLabels();
      assertTrue(rendered.of("Service", Service.class).stream().anyMatch(s -> s.getSpec().getSelector()
          .equals(labels)), "a Service for " + name);
      assertTrue(rendered.of("PodDisruptionBudget", PodDisruptionBudget.class).stream()
          .anyMatch(p -> p.getSpec().getSelector().getMatchLabels().equals(labels)), "a PodDisruptionBudget for " + name);
    }
    assertEquals(1, (int) covered.first());
    assertEquals(covered.last() - covered.first() + 1, covered.size(), "the ranges leave no stage out: " + covered);

    // Topics: one partition count for all, and one for every topic the instances read or write.
    Map<String, Integer> partitions = new HashMap<>();
    Map<String, Integer> compacted = new HashMap<>();
    for (GenericKubernetesResource topic : rendered.custom("KafkaTopic")) {
      Map<String, Object> spec = topic.get("spec");
      Map<?, ?> topicConfig = (Map<?, ?>) spec.getOrDefault("config", Map.of());
      (TopicConfig.CLEANUP_POLICY_COMPACT.equals(topicConfig.get(TopicConfig.CLEANUP_POLICY_CONFIG)) ? compacted
          : partitions).put((String) spec.get("topicName"), ((Number) spec.get("partitions")).intValue());
    }
    assertEquals(1, new HashSet<>(partitions.values()).size(), "equal partition counts: " + partitions);
    int count = partitions.values().iterator().next();
    for (Map.Entry<String, AppConfig> entry : configs.entrySet()) {
      AppConfig config = entry.getValue();
      StageRange range = ranges.get(entry.getKey());
      List<String> needed = new ArrayList<>(List.of(config.topics().classifications(), config.topics().dlq(),
          input(config, range)));
      if (range.last() < covered.last()) {
        needed.add(config.topics().stage(range.last() + 1));
      }
      for (String topic : needed) {
        assertTrue(partitions.containsKey(topic), "a KafkaTopic for " + topic + ", which " + entry.getKey() + " uses");
      }
      assertEquals(1, compacted.get(config.topics().control()), "the control topic: compacted, one partition");
    }

    // Autoscaling: each range on the lag of its own consumer group on its own input topic, at most one replica per
    // partition.
    List<GenericKubernetesResource> scaledObjects = rendered.custom("ScaledObject");
    assertEquals(deployments.size(), scaledObjects.size());
    for (GenericKubernetesResource scaled : scaledObjects) {
      Map<String, Object> spec = scaled.get("spec");
      String target = (String) ((Map<?, ?>) spec.get("scaleTargetRef")).get("name");
      assertTrue(configs.containsKey(target), "ScaledObject " + scaled.getMetadata().getName() + " targets " + target);
      AppConfig config = configs.get(target);
      StageRange range = ranges.get(target);
      Map<?, ?> trigger = (Map<?, ?>) ((List<?>) spec.get("triggers")).get(0);
      assertEquals("kafka", trigger.get("type"));
      Map<?, ?> metadata = (Map<?, ?>) trigger.get("metadata");
      assertEquals(config.applicationId(range), metadata.get("consumerGroup"), target);
      assertEquals(input(config, range), metadata.get("topic"), target);
      int max = ((Number) spec.get("maxReplicaCount")).intValue();
      assertTrue(max >= 1 && max <= count, "at most one replica per partition: " + max + " for " + count);
    }

    // Credentials: in the Secret, referenced from there, never in a ConfigMap.
    for (ConfigMap config : rendered.of("ConfigMap", ConfigMap.class)) {
      config.getData().forEach((key, value) -> {
        for (String line : value.split("\n")) {
          String setting = line.strip().toLowerCase(Locale.ROOT);
          if (setting.startsWith("#") || setting.isEmpty()) {
            continue;
          }
          for (String secretWord : List.of("password", "jaas", "user.info", "user-info", "secret", "token",
              "credential")) {
            if (setting.contains(secretWord) && !setting.startsWith("basic.auth.credentials.source=")) {
              fail("ConfigMap " + config.getMetadata().getName() + " carries a credential: " + line);
            }
          }
        }
      });
    }
    Set<String> secretKeys = new HashSet<>();
    rendered.of("Secret", Secret.class).forEach(s -> {
      secretKeys.addAll(s.getStringData() == null ? Set.of() : s.getStringData().keySet());
      secretKeys.addAll(s.getData() == null ? Set.of() : s.getData().keySet());
    });
    List<Container> all = new ArrayList<>(deployments.stream().map(RenderedOverlaysTest::container).toList());
    rendered.of("Job", Job.class).forEach(j -> all.addAll(j.getSpec().getTemplate().getSpec().getContainers()));
    for (Container container : all) {
      for (EnvVar env : container.getEnv()) {
        if (env.getValueFrom() != null && env.getValueFrom().getSecretKeyRef() != null) {
          assertTrue(secretKeys.contains(env.getValueFrom().getSecretKeyRef().getKey()), env.getName());
        }
        if (env.getName().contains("JAAS") || env.getName().contains("USER_INFO")) {
          assertTrue(env.getValue() == null, env.getName() + " comes from a Secret");
        }
      }
    }

    // Operations: scraped, alerted on, topics made for clusters without Strimzi.
    assertEquals(1, rendered.custom("ServiceMonitor").size());
    List<String> alerts = new ArrayList<>();
    for (GenericKubernetesResource rule : rendered.custom("PrometheusRule")) {
      Map<String, Object> spec = rule.get("spec");
      for (Object group : (List<?>) spec.get("groups")) {
        for (Object r : (List<?>) ((Map<?, ?>) group).get("rules")) {
          alerts.add((String) ((Map<?, ?>) r).get("alert"));
        }
      }
    }
    assertEquals(List.of("AepConsumerLagHigh", "AepDeadLettersRising", "AepInstanceNotReady",
        "AepEarlyExitsDisagree"), alerts);
    // A dashboard for Grafana's sidecar, with the panels an operator of adaptive exits looks at.
    ConfigMap dashboard = rendered.of("ConfigMap", ConfigMap.class).stream()
        .filter(c -> "1".equals(c.getMetadata().getLabels() == null ? null
            : c.getMetadata().getLabels().get("grafana_dashboard"))).findFirst().orElseThrow();
    JsonNode json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(dashboard.getData()
        .get("aep-streams.json"));
    List<String> titles = new ArrayList<>();
    json.path("panels").forEach(p -> titles.add(p.path("title").asText()));
    for (String wanted : List.of("Images per second", "Exit shares per stage", "Input lag per stage range",
        "p99 latency to the decision", "Operating point in force", "Time at each operating point",
        "Agreement of early answers with the full ensemble (audit)")) {
      assertTrue(titles.contains(wanted), "a panel " + wanted + " in " + titles);
    }
    List<Job> jobs = rendered.of("Job", Job.class);
    assertEquals(1, jobs.size());
    assertEquals(List.of("topics", "create"), jobs.get(0).getSpec().getTemplate().getSpec().getContainers().get(0)
        .getArgs().subList(0, 2));

    // The health port: only the scraper and the nodes reach it, and no other port is open to anyone.
    List<JsonNode> policies = rendered.all().stream().filter(o -> "NetworkPolicy".equals(o.path("kind").asText()))
        .toList();
    assertEquals(1, policies.size());
    JsonNode policy = policies.get(0).path("spec");
    assertEquals("aep-streams", policy.path("podSelector").path("matchLabels").path("app.kubernetes.io/name")
        .asText(), "it selects every instance");
    assertEquals("[\"Ingress\"]", policy.path("policyTypes").toString());
    JsonNode rule = policy.path("ingress").get(0);
    assertEquals(1, policy.path("ingress").size());
    assertEquals(1, rule.path("ports").size());
    assertEquals(8080, rule.path("ports").get(0).path("port").asInt());
    assertEquals("TCP", rule.path("ports").get(0).path("protocol").asText());
    JsonNode scraper = rule.path("from").get(0).path("podSelector");
    assertEquals("[{\"key\":\"app.kubernetes.io/name\",\"operator\":\"In\",\"values\":[\"prometheus\"]}]",
        scraper.path("matchExpressions").toString(), "Prometheus' pods");
    assertTrue(scraper.path("matchLabels").isMissingNode(), "and nothing the overlays' commonLabels add: " + scraper);
    assertTrue(rule.path("from").get(1).has("ipBlock"), "the nodes, where the kubelet's probes come from");
    for (Deployment deployment : deployments) {
      assertEquals(List.of(8080), container(deployment).getPorts().stream().map(p -> p.getContainerPort()).toList());
    }
  }

  /**
   * The Job that moves the shipped single deployment to the shipped split: {@code aep offsets copy} with the old
   * and the new ranges from its ConfigMap, which are the overlays' own ranges.
   */
  @Test
  void theOffsetsCopyJobMovesTheSingleOverlayToTheSplitOne() throws Exception {
    Rendered rendered = render("../offsets-copy");
    List<Job> jobs = rendered.of("Job", Job.class);
    assertEquals(1, jobs.size());
    Container container = jobs.get(0).getSpec().getTemplate().getSpec().getContainers().get(0);
    assertEquals(List.of("offsets", "copy", "--config", "/etc/aep/app.properties", "--from", "$(FROM)", "--to",
        "$(TO)"), container.getArgs());
    ConfigMap ranges = rendered.of("ConfigMap", ConfigMap.class).stream()
        .filter(c -> c.getMetadata().getName().equals("aep-offsets-copy")).findFirst().orElseThrow();
    assertEquals("aep-offsets-copy", container.getEnvFrom().get(0).getConfigMapRef().getName());
    for (String[] move : List.of(new String[] {"FROM", "single"}, new String[] {"TO", "split"})) {
      io.aepstreams.streams.redeploy.Deployment job = io.aepstreams.streams.redeploy.Deployment.parse(
          ranges.getData().get(move[0]));
      Rendered overlay = render(move[1]);
      List<StageRange> deployed = new ArrayList<>();
      for (Deployment deployment : overlay.of("Deployment", Deployment.class)) {
        deployed.add(settings(overlay, deployment).stages().orElseThrow());
      }
      deployed.sort(java.util.Comparator.comparingInt(StageRange::first));
      assertEquals(deployed, job.ranges(), move[0] + " is the " + move[1] + " overlay");
    }
    List<String> volumes = jobs.get(0).getSpec().getTemplate().getSpec().getVolumes().stream()
        .map(v -> v.getConfigMap() == null ? v.getName() : v.getConfigMap().getName()).toList();
    assertTrue(volumes.contains("aep-config"), "the deployments' settings: " + volumes);
  }

  private static String input(AppConfig config, StageRange range) {
    return range.first() == 1 ? config.topics().images() : config.topics().stage(range.first());
  }

  private static void assertProbe(Probe probe, String path, String deployment) {
    assertNotNull(probe, deployment + " has a probe on " + path);
    assertEquals(path, probe.getHttpGet().getPath(), deployment);
  }
}
