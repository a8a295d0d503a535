package io.azora.platform;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.AsyncMap;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Which consumer groups take which event types, cluster-wide (a Hazelcast map when clustered): a relay
 * sends each event once to every group listed for its type. A group missing here for a moment (it has just
 * started) loses nothing: its catch-up reads the feed.
 */
final class NexusGroups {

  private static final String MAP = "azora.nexus.groups";
  /** Published when a member joins, so relays read the groups again at once rather than within seconds. */
  static final String JOINED = "azora.nexus.groups.joined";

  private NexusGroups() {
  }

  /** Lists {@code group} as a consumer of {@code types} (idempotent: every member of a group says so). */
  static Future<Void> join(Vertx vertx, String group, Set<String> types) {
    return vertx.sharedData().<String, Boolean>getAsyncMap(MAP)
        .compose(map -> Future.all(types.stream().map(type -> map.put(type + " " + group, Boolean.TRUE)).toList()))
        .onSuccess(v -> vertx.eventBus().publish(JOINED, group))
        .mapEmpty();
  }

  /** Event type → the groups consuming it. */
  static Future<Map<String, Set<String>>> byType(Vertx vertx) {
    return vertx.sharedData().<String, Boolean>getAsyncMap(MAP).compose(AsyncMap::keys).map(keys -> {
      Map<String, Set<String>> groups = new HashMap<>();
      for (String key : keys) {
        int space = key.indexOf(' ');
        groups.computeIfAbsent(key.substring(0, space), t -> new HashSet<>()).add(key.substring(space + 1));
      }
      return groups;
    });
  }
}
