package io.azora.platform;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** conf/azora.yaml, overridable key by key from the environment and system properties; secrets stay out of logs. */
@ExtendWith(VertxExtension.class)
class ConfigTest {

  @Test
  void envNamesFollowTheKeyPath() {
    assertEquals("AZORA_AUTH_ACCESS_TOKEN_TTL_SECONDS", ConfigLoader.envName("auth.accessTokenTtlSeconds"));
    assertEquals("AZORA_HTTP_PORT", ConfigLoader.envName("http.port"));
    assertEquals("AZORA_DATABASE_FINANCE", ConfigLoader.envName("database.finance"));
  }

  @Test
  void everyKeyOfTheFileCanBeOverridden(Vertx vertx) throws Exception {
    JsonObject file = ConfigLoader.load(vertx, ConfigLoader.DEFAULT_PATH).await(10, TimeUnit.SECONDS);
    Properties props = new Properties();
    props.setProperty("azora.http.port", "4100");
    JsonObject c = ConfigLoader.overlay(file, Map.of(
        "AZORA_AUTH_ACCESS_TOKEN_TTL_SECONDS", "60",
        "AZORA_HTTP_PORT", "4200",
        "AZORA_NODE_CLUSTER", "true",
        "AZORA_DATABASE_FINANCE", "mint_eu",
        "AZORA_VERTICLES", "gateway,auth"), props);
    AzoraConfig typed = AzoraConfig.from(c);
    assertEquals(60, typed.auth().accessTokenTtlSeconds());
    assertEquals(4100, typed.http().port(), "a system property wins over the environment");
    assertTrue(typed.node().cluster());
    assertEquals("mint_eu", typed.database().nameOf("finance"));
    assertEquals(java.util.List.of("gateway", "auth"), typed.node().verticles());
    // Defaults from the file.
    assertEquals("azora_auth", AzoraConfig.from(file).database().nameOf("auth"));
    assertEquals(1 << 20, AzoraConfig.from(file).http().bodyLimitBytes());
    assertThrows(IllegalArgumentException.class,
        () -> ConfigLoader.overlay(file, Map.of("AZORA_HTTP_PORT", "four thousand"), new Properties()));
  }

  @Test
  void secretsNeverAppearInTheConfigurationsText(Vertx vertx) throws Exception {
    JsonObject file = ConfigLoader.load(vertx, ConfigLoader.DEFAULT_PATH).await(10, TimeUnit.SECONDS);
    JsonObject c = ConfigLoader.overlay(file, Map.of(
        "AZORA_DATABASE_PASSWORD", "db-s3cret",
        "AZORA_AUTH_ADMIN_PASSWORD", "admin-s3cret",
        "AZORA_GOOGLE_CLIENT_SECRET", "google-s3cret",
        "AZORA_REDIS_URL", "redis://:redis-s3cret@cache:6379"), new Properties());
    String text = AzoraConfig.from(c).toString();
    for (String secret : new String[] {"db-s3cret", "admin-s3cret", "google-s3cret", "redis-s3cret"}) {
      assertFalse(text.contains(secret), secret + " leaked into " + text);
    }
  }
}
