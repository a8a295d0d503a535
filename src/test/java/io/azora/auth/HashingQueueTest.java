package io.azora.auth;

import io.azora.support.HttpApi;
import io.azora.support.NodeExtension;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Password hashing is bounded per node (here one at a time): a burst of logins gets each either its answer
 * or, at once, 503 busy with Retry-After — never a queue that makes clients time out — and a login after
 * the burst works.
 */
class HashingQueueTest {

  @RegisterExtension
  static final NodeExtension node = NodeExtension.with(new JsonObject()
      .put("auth", new JsonObject().put("maxPendingHashes", 1)));

  @Test
  void aBurstOfLoginsPastTheBoundIsAnswered503AtOnce() throws Exception {
    HttpApi api = node.api();
    String email = "burst-" + UUID.randomUUID() + "@azora.test";
    api.register(email, "burst-passphrase-1", "Burst", "student");
    ExecutorService clients = Executors.newFixedThreadPool(16);
    try {
      List<CompletableFuture<HttpApi.Response>> logins = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        logins.add(CompletableFuture.supplyAsync(() -> api.post("/api/auth/login", null, new JsonObject()
            .put("email", email).put("password", "burst-passphrase-1")), clients));
      }
      int ok = 0;
      int busy = 0;
      for (CompletableFuture<HttpApi.Response> login : logins) {
        HttpApi.Response r = login.get(30, TimeUnit.SECONDS);
        if (r.status() == 200) {
          ok++;
        } else {
          assertEquals(503, r.status(), r.body().toString());
          assertEquals("busy", r.json().getString("code"));
          assertEquals("1", r.header("Retry-After"));
          busy++;
        }
      }
      assertTrue(ok >= 1, "the first login of the burst is served");
      assertTrue(busy >= 1, "16 logins at once against one hashing place: the excess is refused, not queued");
    } finally {
      clients.shutdownNow();
    }
    api.login(email, "burst-passphrase-1");
  }
}
