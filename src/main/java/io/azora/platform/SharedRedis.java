package io.azora.platform;

import io.vertx.core.json.JsonObject;

import java.util.TreeSet;

/**
 * Redis keys one part of Azora writes and another reads. Their layout is a contract between the two, so it
 * lives here rather than in either: the gateway imports no domain's internals. Every key starts with the
 * configured {@code redis.keyPrefix}.
 */
public final class SharedRedis {

  private SharedRedis() {
  }

  /**
   * The catalogue cache: education fills entries and bumps the version on every change to a published
   * course; the gateway answers hits itself. An entry is {@code <prefix>catalog:<version>:<entry name>}.
   */
  public static final class Catalog {

    private Catalog() {
    }

    /** The key holding the current catalogue version. */
    public static String versionKey(String keyPrefix) {
      return keyPrefix + "catalog:version";
    }

    /** The prefix of entry keys, followed by the version, a colon and the entry name. */
    public static String entryPrefix(String keyPrefix) {
      return keyPrefix + "catalog:";
    }

    /**
     * The entry name of a course list query: its parameters in name order, each value length-prefixed so
     * that no two different queries share a name (whatever their values contain).
     */
    public static String listEntry(JsonObject query) {
      return SharedRedis.listEntry(query);
    }

    public static String courseEntry(String courseId) {
      return "course:" + courseId;
    }

    /** education.catalogCacheSeconds of the whole configuration: how long entries live; 0 turns the cache off. */
    public static int ttlSeconds(JsonObject config) {
      return config.getJsonObject("education", new JsonObject()).getInteger("catalogCacheSeconds", 60);
    }
  }

  /**
   * The marketplace's open-job lists and each person's ranked matches: the marketplace fills entries and
   * bumps the version whenever a job is posted, changed, closed or filled, a skill is verified or a review
   * posted; the gateway answers hits itself. An entry is
   * {@code <prefix>jobs:<version>:<entry name>}.
   */
  public static final class Jobs {

    private Jobs() {
    }

    public static String versionKey(String keyPrefix) {
      return keyPrefix + "jobs:version";
    }

    public static String entryPrefix(String keyPrefix) {
      return keyPrefix + "jobs:";
    }

    /** The entry name of a person's ranked job matches (under the same version: job and skill changes move it). */
    public static String matchesEntry(String userId) {
      return "matches:" + userId;
    }

    /** The entry name of a job list query (as {@link Catalog#listEntry}). */
    public static String listEntry(JsonObject query) {
      return SharedRedis.listEntry(query);
    }

    /** marketplace.jobsCacheSeconds of the whole configuration: how long entries live; 0 turns the cache off. */
    public static int ttlSeconds(JsonObject config) {
      return config.getJsonObject("marketplace", new JsonObject()).getInteger("jobsCacheSeconds", 30);
    }
  }

  /**
   * The entry name of a list query: its parameters in name order, each value length-prefixed so that no two
   * different queries share a name (whatever their values contain).
   */
  private static String listEntry(JsonObject query) {
    StringBuilder entry = new StringBuilder("list:");
    for (String name : new TreeSet<>(query.fieldNames())) {
      String value = String.valueOf(query.getValue(name));
      entry.append(name).append(':').append(value.length()).append(':').append(value).append(';');
    }
    return entry.toString();
  }

  /**
   * The session deny-list: auth lists revoked sessions (for as long as their access tokens live); the
   * gateway refuses tokens of a listed session.
   */
  public static final class DenyList {

    private DenyList() {
    }

    /** The entry of one session. */
    public static String key(String keyPrefix, String sessionId) {
      return keyPrefix + "deny:" + sessionId;
    }

    /** Present while Redis still holds the list auth wrote (gone after Redis restarted empty). */
    public static String marker(String keyPrefix) {
      return keyPrefix + "deny-marker";
    }
  }
}
