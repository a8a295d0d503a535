package io.azora.gateway;

import io.azora.platform.NodeFanout;
import io.azora.tutoring.TutoringService;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * This gateway verticle's room sockets, by course, fed by the node's two consumers ({@link NodeFanout}):
 * chat (published once by tutoring) and presence (published by the gateway where someone joined or left).
 * One consumer each per node, whatever the number of rooms and sockets; each message is encoded once per
 * room and offered to its sockets in memory.
 *
 * <p>Presence is shared in Redis: a sorted set per room whose members are (this verticle, user, name),
 * scored with when they lapse. Each verticle refreshes its own members every {@link #REFRESH_MS}, so a
 * gateway that dies without leaving disappears from the list within {@link #LAPSE_MS}; each refresh also
 * rereads the lists and tells its sockets when one changed.
 */
final class RoomFanout {

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(RoomFanout.class);

  /** Published by a gateway when someone joined or left a room: {@code {courseId, users: [{id, name}]}}. */
  static final String PRESENCE_ADDRESS = "azora.rooms.presence";
  static final long REFRESH_MS = 10_000;
  static final long LAPSE_MS = 30_000;
  private static final String SEP = "\u001f";

  private final Vertx vertx;
  private final RedisLink redis;
  private final String keyPrefix;
  /** This verticle's presence entries are marked with it, so another's leaving removes none of them. */
  private final String tag = UUID.randomUUID().toString();
  private final Map<String, Room> rooms = new HashMap<>();
  private final NodeFanout.Registration chat;
  private final NodeFanout.Registration presence;
  private final long refresh;

  /** The sockets of one room here, and who they are. */
  private static final class Room {
    final Set<RoomSocket> sockets = new LinkedHashSet<>();
    final Map<String, Integer> socketsByUser = new HashMap<>();
    final Map<String, String> names = new HashMap<>();
    JsonArray lastUsers = new JsonArray();
  }

  RoomFanout(Vertx vertx, RedisLink redis, String keyPrefix) {
    this.vertx = vertx;
    this.redis = redis;
    this.keyPrefix = keyPrefix;
    chat = NodeFanout.listen(vertx, TutoringService.ROOMS_ADDRESS, body -> {
      Room room = rooms.get(body.getString("courseId"));
      if (room != null) {
        offer(room, body.getJsonObject("message").copy().put("type", "chat"));
      }
    });
    presence = NodeFanout.listen(vertx, PRESENCE_ADDRESS, body -> {
      Room room = rooms.get(body.getString("courseId"));
      if (room != null) {
        tell(room, body.getJsonArray("users"));
      }
    });
    refresh = vertx.setPeriodic(REFRESH_MS, id -> refreshAll());
  }

  void join(RoomSocket socket) {
    Room room = rooms.computeIfAbsent(socket.courseId, c -> new Room());
    room.sockets.add(socket);
    String user = socket.caller.userId();
    room.names.put(user, socket.name);
    if (room.socketsByUser.merge(user, 1, Integer::sum) == 1) {
      String key = key(socket.courseId);
      redis.send(Request.cmd(Command.ZADD).arg(key).arg(System.currentTimeMillis() + LAPSE_MS).arg(member(user, socket.name)))
          .compose(r -> redis.send(Request.cmd(Command.PEXPIRE).arg(key).arg(LAPSE_MS * 2)))
          .onComplete(ar -> announce(socket.courseId));
    } else {
      socket.send(presenceMessage(room.lastUsers));
    }
  }

  void leave(RoomSocket socket) {
    Room room = rooms.get(socket.courseId);
    if (room == null || !room.sockets.remove(socket)) {
      return;
    }
    String user = socket.caller.userId();
    if (room.socketsByUser.merge(user, -1, Integer::sum) <= 0) {
      room.socketsByUser.remove(user);
      String name = room.names.remove(user);
      redis.send(Request.cmd(Command.ZREM).arg(key(socket.courseId)).arg(member(user, name)))
          .onComplete(ar -> announce(socket.courseId));
    }
    if (room.sockets.isEmpty()) {
      rooms.remove(socket.courseId);
    }
  }

  /** Rereads a room's presence and publishes it to every gateway (this one included). */
  private void announce(String courseId) {
    present(courseId).onComplete(ar -> {
      if (ar.succeeded()) {
        vertx.eventBus().publish(PRESENCE_ADDRESS, new JsonObject().put("courseId", courseId).put("users", ar.result()));
      } else {
        Room room = rooms.get(courseId);
        if (room != null) {
          log.debug("Room presence unavailable ({}); telling local participants only", ar.cause().getMessage());
          tell(room, localUsers(room));
        }
      }
    });
  }

  /** Everyone present in a room, on any gateway, in order of joining. */
  private Future<JsonArray> present(String courseId) {
    return redis.send(Request.cmd(Command.ZRANGE).arg(key(courseId)).arg(System.currentTimeMillis()).arg("+inf").arg("BYSCORE"))
        .map(RoomFanout::users);
  }

  private static JsonArray users(Response members) {
    Map<String, String> users = new LinkedHashMap<>();
    if (members != null) {
      for (Response member : members) {
        String[] parts = member.toString().split(SEP, 3);
        if (parts.length == 3) {
          users.putIfAbsent(parts[1], parts[2]);
        }
      }
    }
    JsonArray list = new JsonArray();
    users.forEach((id, name) -> list.add(new JsonObject().put("id", id).put("name", name)));
    return list;
  }

  private static JsonArray localUsers(Room room) {
    JsonArray list = new JsonArray();
    room.socketsByUser.keySet().forEach(id -> list.add(new JsonObject().put("id", id).put("name", room.names.get(id))));
    return list;
  }

  /** Keeps this verticle's participants present, drops lapsed ones, and tells sockets of changed lists. */
  private void refreshAll() {
    long now = System.currentTimeMillis();
    for (Map.Entry<String, Room> entry : new ArrayList<>(rooms.entrySet())) {
      String key = key(entry.getKey());
      Room room = entry.getValue();
      Request zadd = Request.cmd(Command.ZADD).arg(key);
      room.socketsByUser.keySet().forEach(user -> zadd.arg(now + LAPSE_MS).arg(member(user, room.names.get(user))));
      List<Future<Response>> writes = List.of(redis.send(zadd),
          redis.send(Request.cmd(Command.ZREMRANGEBYSCORE).arg(key).arg("-inf").arg(now)),
          redis.send(Request.cmd(Command.PEXPIRE).arg(key).arg(LAPSE_MS * 2)));
      Future.all(writes).compose(v -> present(entry.getKey())).onSuccess(users -> {
        if (rooms.get(entry.getKey()) == room && !users.equals(room.lastUsers)) {
          tell(room, users);
        }
      });
    }
  }

  private void tell(Room room, JsonArray users) {
    room.lastUsers = users;
    offer(room, presenceMessage(users));
  }

  private static JsonObject presenceMessage(JsonArray users) {
    return new JsonObject().put("type", "presence").put("users", users);
  }

  private static void offer(Room room, JsonObject message) {
    String encoded = message.encode();
    for (RoomSocket socket : new ArrayList<>(room.sockets)) {
      socket.offer(encoded);
    }
  }

  private String key(String courseId) {
    return keyPrefix + "room:" + courseId + ":present";
  }

  private String member(String user, String name) {
    return tag + SEP + user + SEP + name;
  }

  /** This gateway is stopping: its participants leave every room's presence. */
  Future<Void> close() {
    vertx.cancelTimer(refresh);
    List<Future<?>> done = new ArrayList<>();
    for (Map.Entry<String, Room> entry : rooms.entrySet()) {
      Room room = entry.getValue();
      Request zrem = Request.cmd(Command.ZREM).arg(key(entry.getKey()));
      room.socketsByUser.keySet().forEach(user -> zrem.arg(member(user, room.names.get(user))));
      if (!room.socketsByUser.isEmpty()) {
        done.add(redis.send(zrem).recover(err -> Future.succeededFuture()));
      }
    }
    rooms.clear();
    chat.cancel();
    presence.cancel();
    return Future.join(done).mapEmpty();
  }
}
