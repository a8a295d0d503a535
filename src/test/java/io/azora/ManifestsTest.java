package io.azora;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.azora.platform.ConfigLoader;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The Kubernetes manifests, checked since no cluster exists here: every document of k8s/ is read into
 * fabric8's typed models, strictly (a field the model does not know fails, as the API server would), and
 * cross-checked against the server: every environment variable is a real configuration key, probes and
 * ports are the server's, the Hazelcast discovery names the headless Service that selects every pod, the
 * NetworkPolicy opens the bus's configured port, autoscalers and disruption budgets name real Deployments.
 */
class ManifestsTest {

  static final Map<String, Class<? extends HasMetadata>> KINDS = Map.of(
      "v1/Namespace", Namespace.class, "v1/ConfigMap", ConfigMap.class, "v1/Secret", Secret.class,
      "v1/Service", Service.class, "apps/v1/Deployment", Deployment.class,
      "autoscaling/v2/HorizontalPodAutoscaler", HorizontalPodAutoscaler.class,
      "policy/v1/PodDisruptionBudget", PodDisruptionBudget.class, "networking.k8s.io/v1/NetworkPolicy", NetworkPolicy.class);

  static final List<HasMetadata> resources = new ArrayList<>();
  static Map<String, Object> conf;

  @BeforeAll
  @SuppressWarnings("unchecked")
  static void read() throws Exception {
    ObjectMapper mapper = new ObjectMapper();
    List<String> unknown = new ArrayList<>();
    try (Stream<Path> files = Files.list(Path.of("k8s"))) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
        for (Object doc : new Yaml().loadAll(Files.readString(file))) {
          if (doc == null) {
            continue;  // a document of comments only
          }
          Map<String, Object> map = (Map<String, Object>) doc;
          String kind = map.get("apiVersion") + "/" + map.get("kind");
          Class<? extends HasMetadata> type = KINDS.get(kind);
          assertNotNull(type, file + ": unexpected kind " + kind);
          HasMetadata resource = mapper.convertValue(map, type);
          strict(resource, file.getFileName() + ":" + resource.getMetadata().getName(), unknown);
          resources.add(resource);
        }
      }
    }
    assertEquals(List.of(), unknown, "fields the Kubernetes API does not know");
    conf = new Yaml().load(Files.readString(Path.of("conf/azora.yaml")));
  }

  @Test
  void environmentVariablesAreConfigurationKeys() throws Exception {
    Set<String> keys = new HashSet<>(Set.of("AZORA_VERTICLES"));
    leaves(conf, "", keys);
    // The logging configuration's own variables (logback.xml reads ${AZORA_...} from the environment).
    Matcher logging = Pattern.compile("\\$\\{(AZORA_[A-Z0-9_]+)").matcher(Files.readString(Path.of("src/main/resources/logback.xml")));
    while (logging.find()) {
      keys.add(logging.group(1));
    }
    List<String> names = new ArrayList<>();
    of(ConfigMap.class).filter(c -> c.getMetadata().getName().equals("azora-env")).forEach(c -> names.addAll(c.getData().keySet()));
    of(Secret.class).filter(s -> s.getMetadata().getName().equals("azora-secrets")).forEach(s -> names.addAll(s.getStringData().keySet()));
    containers().forEach(c -> c.getEnv().stream().map(EnvVar::getName).forEach(names::add));
    assertTrue(names.size() > 20, "variables found: " + names);
    List<String> unknown = names.stream().filter(n -> !keys.contains(n)).toList();
    assertEquals(List.of(), unknown, "variables that set no configuration key (conf/azora.yaml)");
  }

  @Test
  void probesAndPortsAreTheServers() {
    int http = (Integer) section("http").get("port");
    int management = (Integer) section("management").get("port");
    for (Deployment d : of(Deployment.class).toList()) {
      Container c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
      Map<String, Integer> ports = new java.util.HashMap<>();
      c.getPorts().forEach(p -> ports.put(p.getName(), p.getContainerPort()));
      String name = d.getMetadata().getName();
      assertEquals(management, ports.get("management"), name);
      assertEquals(5701, ports.get("hazelcast"), name);
      assertEquals(Integer.parseInt(configValue("AZORA_NODE_BUS_PORT")), ports.get("event-bus"), name);
      for (Probe probe : List.of(c.getLivenessProbe(), c.getReadinessProbe(), c.getStartupProbe())) {
        HTTPGetAction get = probe.getHttpGet();
        assertTrue(Set.of("/health/live", "/health/ready").contains(get.getPath()), name + " probes " + get.getPath());
        assertEquals("management", get.getPort().getStrVal(), name);
      }
      assertEquals("/health/ready", c.getReadinessProbe().getHttpGet().getPath(), name);
      assertNotNull(c.getResources().getLimits().get("memory"), name + ": a memory limit (the JVM takes 75 % of it)");
      assertNotNull(c.getResources().getRequests().get("cpu"), name);
      boolean gateway = c.getEnv().stream().anyMatch(e -> "AZORA_VERTICLES".equals(e.getName()) && "gateway".equals(e.getValue()));
      if (gateway) {
        assertEquals(http, ports.get("http"), name);
      } else {
        assertFalse(ports.containsKey("http"), name + " serves no API");
      }
      assertTrue(d.getSpec().getTemplate().getSpec().getVolumes().stream()
          .anyMatch(v -> v.getSecret() != null && "azora-cluster-tls".equals(v.getSecret().getSecretName())), name + " mounts its bus certificate");
    }
    assertTrue(of(Secret.class).anyMatch(s -> s.getMetadata().getName().equals("azora-cluster-tls")), "the TLS Secret's template");
    assertTrue(configValue("AZORA_NODE_BUS_TLS_CERT_PATH").startsWith("/app/tls/"));
  }

  @Test
  void discoveryAutoscalingAndBudgetsNameWhatExists() {
    String xml = of(ConfigMap.class).filter(c -> c.getMetadata().getName().equals("azora-cluster-xml")).findFirst()
        .orElseThrow().getData().get("cluster.xml");
    Matcher dns = Pattern.compile("<service-dns>([^.<]+)\\.([^.<]+)\\.svc\\.cluster\\.local</service-dns>").matcher(xml);
    assertTrue(dns.find(), "Hazelcast's Kubernetes discovery in DNS mode");
    Service headless = of(Service.class).filter(s -> s.getMetadata().getName().equals(dns.group(1))).findFirst().orElseThrow();
    assertEquals(dns.group(2), headless.getMetadata().getNamespace());
    assertEquals("None", headless.getSpec().getClusterIP(), "headless");
    List<Deployment> deployments = of(Deployment.class).toList();
    assertEquals(6, deployments.size(), "a Deployment per role");
    for (Deployment d : deployments) {
      Map<String, String> labels = d.getSpec().getTemplate().getMetadata().getLabels();
      assertTrue(labels.entrySet().containsAll(headless.getSpec().getSelector().entrySet()),
          d.getMetadata().getName() + " is found by the discovery Service");
      String name = d.getMetadata().getName();
      assertTrue(of(HorizontalPodAutoscaler.class).anyMatch(h -> h.getSpec().getScaleTargetRef().getName().equals(name)), name + " autoscaled");
      assertTrue(of(PodDisruptionBudget.class).anyMatch(p -> labels.entrySet()
          .containsAll(p.getSpec().getSelector().getMatchLabels().entrySet())), name + " has a disruption budget");
    }
    for (HorizontalPodAutoscaler h : of(HorizontalPodAutoscaler.class).toList()) {
      assertTrue(deployments.stream().anyMatch(d -> d.getMetadata().getName().equals(h.getSpec().getScaleTargetRef().getName())));
      assertTrue(h.getSpec().getMinReplicas() >= 2, "never fewer than two of a role");
    }
    Set<Integer> open = new HashSet<>();
    of(NetworkPolicy.class).forEach(p -> p.getSpec().getIngress().forEach(rule -> rule.getPorts()
        .forEach(port -> open.add(port.getPort().getIntVal()))));
    assertTrue(open.containsAll(Set.of(5701, Integer.parseInt(configValue("AZORA_NODE_BUS_PORT")), 4000, 9090)), "open: " + open);
    containers().forEach(c -> c.getPorts().stream().map(ContainerPort::getContainerPort)
        .forEach(port -> assertTrue(open.contains(port), "port " + port + " reachable under the NetworkPolicy")));
  }

  static <T extends HasMetadata> Stream<T> of(Class<T> type) {
    return resources.stream().filter(type::isInstance).map(type::cast);
  }

  static Stream<Container> containers() {
    return of(Deployment.class).flatMap(d -> d.getSpec().getTemplate().getSpec().getContainers().stream());
  }

  static String configValue(String name) {
    return of(ConfigMap.class).filter(c -> c.getMetadata().getName().equals("azora-env")).findFirst().orElseThrow()
        .getData().get(name);
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> section(String name) {
    return (Map<String, Object>) conf.get(name);
  }

  @SuppressWarnings("unchecked")
  static void leaves(Map<String, Object> node, String prefix, Set<String> out) {
    node.forEach((key, value) -> {
      String path = prefix.isEmpty() ? key : prefix + "." + key;
      if (value instanceof Map<?, ?> child) {
        leaves((Map<String, Object>) child, path, out);
      } else {
        out.add(ConfigLoader.envName(path));
      }
    });
  }

  /** Fails on any field a model collected as unknown (fabric8 keeps them in additionalProperties). */
  static void strict(Object o, String path, List<String> unknown) {
    if (o == null) {
      return;
    }
    if (o instanceof List<?> list) {
      for (int i = 0; i < list.size(); i++) {
        strict(list.get(i), path + "[" + i + "]", unknown);
      }
      return;
    }
    if (o instanceof Map<?, ?> map) {
      map.forEach((k, v) -> strict(v, path + "." + k, unknown));
      return;
    }
    if (!o.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
      return;
    }
    for (Method m : o.getClass().getMethods()) {
      if (m.getParameterCount() != 0 || !m.getName().startsWith("get") || m.getDeclaringClass() == Object.class) {
        continue;
      }
      try {
        Object value = m.invoke(o);
        if (m.getName().equals("getAdditionalProperties")) {
          if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
            unknown.add(path + ": " + extra.keySet());
          }
        } else {
          strict(value, path + "." + m.getName().substring(3), unknown);
        }
      } catch (ReflectiveOperationException e) {
        fail(path + "." + m.getName() + ": " + e);
      }
    }
  }
}
