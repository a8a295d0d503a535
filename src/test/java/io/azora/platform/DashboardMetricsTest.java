package io.azora.platform;

import io.azora.support.Courses;
import io.azora.support.HttpApi;
import io.azora.support.Market;
import io.azora.support.SocketClient;
import io.azora.support.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.yaml.snakeyaml.Yaml;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Grafana dashboard (docker/grafana/dashboards) and the Prometheus alert rules (docker/prometheus)
 * name only metrics and labels a running node exports: the node is given a little of everything (requests,
 * a reply failure, a WebSocket, a grant), its /metrics scraped, and every metric name, every label in a
 * selector and every label grouped by in the queries looked up there. No public dashboard uses Vert.x 5's
 * names, so these are ours, and this keeps them true.
 */
@ExtendWith(VertxExtension.class)
class DashboardMetricsTest {

  static final Pattern METRIC = Pattern.compile("\\b((?:vertx|azora|jvm|process)_[a-z0-9_]+)");
  static final Pattern SELECTOR = Pattern.compile("\\b((?:vertx|azora|jvm|process)_[a-z0-9_]+)\\{([^}]*)}");
  static final Pattern MATCHER = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(?:=~|!~|!=|=)");
  static final Pattern BY = Pattern.compile("\\bby\\s*\\(([^)]*)\\)");
  /** Labels Prometheus itself gives every series it scrapes (the target's). */
  static final Set<String> TARGET_LABELS = Set.of("instance", "job");

  @Test
  void everyMetricAndLabelTheDashboardsNameIsExported(Vertx vertx) throws Exception {
    List<String> queries = new ArrayList<>();
    JsonObject dashboard = new JsonObject(Files.readString(Path.of("docker/grafana/dashboards/azora.json")));
    for (Object panel : dashboard.getJsonArray("panels")) {
      for (Object target : ((JsonObject) panel).getJsonArray("targets", new JsonArray())) {
        queries.add(((JsonObject) target).getString("expr"));
      }
    }
    Map<String, Object> rules = new Yaml().load(Files.readString(Path.of("docker/prometheus/alerts.yml")));
    for (Object group : (List<?>) rules.get("groups")) {
      for (Object rule : (List<?>) ((Map<?, ?>) group).get("rules")) {
        queries.add(String.valueOf(((Map<?, ?>) rule).get("expr")));
      }
    }
    assertTrue(queries.size() >= 20, "the dashboard's panels and the alert rules: " + queries.size());

    int management = io.azora.support.TestInfra.freePort();
    try (TestNode node = TestNode.start(Courses.withAdmin(new JsonObject()
        .put("management", new JsonObject().put("port", management))))) {
      HttpApi api = new HttpApi(vertx, node.port);
      JsonObject user = Market.user(api, "student");
      api.get("/api/auth/profile", user.getString("token")).expect(200);
      api.get("/api/courses?q=anything", null).expect(200);
      api.get("/api/courses/" + UUID.randomUUID(), null).expect(404);  // a domain's refusal: a reply failure
      Market.grant(api, Courses.admin(api), user, "5");
      SocketClient socket = SocketClient.connect(vertx, node.port, "/api/events/ws", user.getString("token"));
      try {
        Map<String, Set<String>> exported = scrape(new HttpApi(vertx, management).get("/metrics", null).expect(200).body().toString());

        List<String> problems = new ArrayList<>();
        for (String query : queries) {
          Set<String> named = new HashSet<>();
          Matcher m = METRIC.matcher(query);
          while (m.find()) {
            named.add(m.group(1));
            if (!exported.containsKey(m.group(1))) {
              problems.add("no metric " + m.group(1) + " (in " + query + ")");
            }
          }
          Matcher s = SELECTOR.matcher(query);
          while (s.find()) {
            Matcher label = MATCHER.matcher(s.group(2));
            while (label.find()) {
              if (!exported.getOrDefault(s.group(1), Set.of()).contains(label.group(1))) {
                problems.add("no label " + label.group(1) + " on " + s.group(1));
              }
            }
          }
          Matcher by = BY.matcher(query);
          while (by.find()) {
            for (String label : by.group(1).split(",")) {
              String l = label.strip();
              if (!TARGET_LABELS.contains(l) && named.stream().noneMatch(n -> exported.getOrDefault(n, Set.of()).contains(l))) {
                problems.add("no metric of " + named + " has label " + l + " (in " + query + ")");
              }
            }
          }
        }
        assertEquals(List.of(), problems);
      } finally {
        socket.close();
      }
    }
  }

  /** Metric name → the label names it is exported with, from Prometheus' text format. */
  static Map<String, Set<String>> scrape(String text) {
    Map<String, Set<String>> out = new HashMap<>();
    Pattern line = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})?\\s");
    Pattern label = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"");
    for (String l : text.split("\n")) {
      if (l.startsWith("#")) {
        continue;
      }
      Matcher m = line.matcher(l);
      if (m.find()) {
        Set<String> labels = out.computeIfAbsent(m.group(1), k -> new HashSet<>());
        if (m.group(2) != null) {
          Matcher lm = label.matcher(m.group(2));
          while (lm.find()) {
            labels.add(lm.group(1));
          }
        }
      }
    }
    return out;
  }
}
