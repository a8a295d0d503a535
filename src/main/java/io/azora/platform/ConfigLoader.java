package io.azora.platform;

import io.vertx.config.ConfigRetriever;
import io.vertx.config.ConfigRetrieverOptions;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Map;
import java.util.Properties;

/**
 * Reads conf/azora.yaml (from the working directory, else the copy inside the jar) with vertx-config,
 * then lets an environment variable or a system property override every key the file defines:
 * {@code auth.accessTokenTtlSeconds} is {@code AZORA_AUTH_ACCESS_TOKEN_TTL_SECONDS} or
 * {@code -Dazora.auth.accessTokenTtlSeconds}. Overrides keep the type of the key they replace.
 */
public final class ConfigLoader {

  public static final String DEFAULT_PATH = "conf/azora.yaml";

  private ConfigLoader() {
  }

  public static Future<JsonObject> load(Vertx vertx, String path) {
    ConfigStoreOptions yaml = new ConfigStoreOptions().setType("file").setFormat("yaml")
        .setConfig(new JsonObject().put("path", path));
    ConfigRetriever retriever = ConfigRetriever.create(vertx, new ConfigRetrieverOptions()
        .setScanPeriod(0).addStore(yaml));
    return retriever.getConfig()
        .map(file -> overlay(file, System.getenv(), System.getProperties()))
        .eventually(() -> {
          retriever.close();
          return Future.succeededFuture();
        });
  }

  /** Applies environment and system-property overrides to every leaf of {@code base}. */
  public static JsonObject overlay(JsonObject base, Map<String, String> env, Properties props) {
    JsonObject out = base.copy();
    apply(out, "", env, props);
    // Short alias the operators' docs use.
    if (env.containsKey("AZORA_VERTICLES")) {
      out.getJsonObject("node", new JsonObject()).put("verticles", env.get("AZORA_VERTICLES"));
    }
    return out;
  }

  private static void apply(JsonObject node, String prefix, Map<String, String> env, Properties props) {
    for (String key : node.fieldNames().toArray(new String[0])) {
      String path = prefix.isEmpty() ? key : prefix + "." + key;
      Object value = node.getValue(key);
      if (value instanceof JsonObject child) {
        apply(child, path, env, props);
        continue;
      }
      String override = props.getProperty("azora." + path);
      if (override == null) {
        override = env.get(envName(path));
      }
      if (override != null) {
        node.put(key, convert(override, value, path));
      }
    }
  }

  /** {@code auth.accessTokenTtlSeconds} → {@code AZORA_AUTH_ACCESS_TOKEN_TTL_SECONDS}. */
  public static String envName(String path) {
    StringBuilder sb = new StringBuilder("AZORA_");
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (c == '.') {
        sb.append('_');
      } else if (Character.isUpperCase(c)) {
        sb.append('_').append(c);
      } else {
        sb.append(Character.toUpperCase(c));
      }
    }
    return sb.toString();
  }

  private static Object convert(String raw, Object current, String path) {
    try {
      if (current instanceof Integer || current instanceof Long) {
        return Long.parseLong(raw.trim());
      }
      if (current instanceof Boolean) {
        return Boolean.parseBoolean(raw.trim());
      }
      if (current instanceof JsonArray) {
        return new JsonArray(java.util.Arrays.stream(raw.split(",")).map(String::trim).toList());
      }
      return raw;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("Configuration key " + path + " expects a number, got '" + raw + "'");
    }
  }
}
