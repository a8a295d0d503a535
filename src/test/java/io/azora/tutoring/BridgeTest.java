package io.azora.tutoring;

import io.azora.support.Courses;
import io.azora.support.HttpApi;
import io.azora.support.NodeExtension;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The event-bus bridge from a client not written in Java: tools/bridge-client/azora_bus.py (Python's
 * standard library only) connects with an access token, receives its own notifications as they happen,
 * lists them through tutoring's service as itself whatever caller it claims, and is refused everything
 * else: another user's notifications, other services, other actions, publishing.
 */
class BridgeTest {

  @RegisterExtension
  static final NodeExtension node = NodeExtension.with(Courses.withAdmin(new JsonObject()
      .put("finance", new JsonObject().put("initialSupply", "1000000"))));

  @Test
  void aPythonClientGetsItsOwnNotificationsAndNothingElse() throws Exception {
    HttpApi api = node.api();
    JsonObject me = api.register("py-" + UUID.randomUUID() + "@azora.test", "bridge-passphrase", "Py", null);
    String userId = me.getJsonObject("user").getString("id");
    String otherId = api.register("other-" + UUID.randomUUID() + "@azora.test", "bridge-passphrase", "O", null)
        .getJsonObject("user").getString("id");

    Process python = new ProcessBuilder("python3", "src/test/python/bridge_check.py", String.valueOf(node.node().port),
        me.getString("accessToken"), userId, otherId).redirectErrorStream(true).start();
    try (BufferedReader out = new BufferedReader(new InputStreamReader(python.getInputStream(), StandardCharsets.UTF_8))) {
      Map<String, JsonObject> steps = new HashMap<>();
      StringBuilder all = new StringBuilder();
      String line;
      while ((line = out.readLine()) != null) {
        all.append(line).append('\n');
        if (!line.startsWith("{")) {
          continue;
        }
        JsonObject step = new JsonObject(line);
        steps.put(step.getString("step"), step);
        if ("ready".equals(step.getString("step"))) {
          api.post("/api/admin/wallets/" + userId + "/grants", Courses.admin(api),
              new JsonObject().put("amount", "7.5").put("reason", "bridge")).expect(201);
        }
      }
      assertTrue(python.waitFor(30, TimeUnit.SECONDS));
      assertEquals(0, python.exitValue(), all::toString);
      assertNotNull(steps.get("done"), all::toString);

      JsonObject notification = steps.get("notification");
      assertEquals("azora.notifications." + userId, notification.getString("address"));
      JsonObject pushed = notification.getJsonObject("body");
      assertEquals("wallet.credited", pushed.getString("kind"));
      assertEquals("7.5", pushed.getJsonObject("data").getString("amount"));

      // It claimed to be another user, an admin: it got its own notifications all the same.
      JsonObject listed = steps.get("list").getJsonObject("body");
      assertEquals(pushed.getString("id"), listed.getJsonArray("items").getJsonObject(0).getString("id"));
      assertEquals(1, listed.getJsonArray("items").size());

      for (String refused : new String[] {"other_register", "finance_send", "history_send", "publish"}) {
        String answer = steps.get(refused).getString("answer");
        assertTrue(answer.equals("access_denied") || answer.equals("rejected"), refused + ": " + answer);
      }
    } finally {
      python.destroyForcibly();
    }
  }

  @Test
  void withoutATokenThereIsNoBridge() {
    assertEquals(401, node.api().get("/api/bridge/info", null).status());
    assertEquals(401, node.api().get("/api/bridge/websocket", null).status());
  }
}
