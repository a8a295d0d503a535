package io.azora.tutoring;

import io.azora.platform.Caller;
import io.vertx.codegen.annotations.ProxyGen;
import io.vertx.codegen.annotations.VertxGen;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;

/**
 * What the gateway asks of tutoring on the event bus. Elara's answers stream, so a question is not a call
 * of this interface but a message to {@link #ASK_ADDRESS}: the answer comes back as a chain of replies,
 * each token a reply that the asker acknowledges with a reply of its own (so a slow socket slows Elara,
 * and nothing is registered in the cluster per question): {@code {type: token, text}}... then
 * {@code {type: done, sources, mode}} or {@code {type: error, code, message}}.
 */
@ProxyGen
@VertxGen
public interface TutoringService {

  String ADDRESS = "azora.tutoring";
  /** A question: {@code {caller, id, text, courseId?, lessonId?}}; the answer streams back as replies. */
  String ASK_ADDRESS = "azora.tutoring.ask";
  /**
   * Published once per room chat message, {@code {courseId, message: {from, name, text, at}}}: every gateway
   * verticle consumes it once and fans it out to its own sockets in that room.
   */
  String ROOMS_ADDRESS = "azora.rooms";
  /** Published once per notification, {@code {userId, notification}}, for the gateways' sockets likewise. */
  String NOTIFICATIONS_ADDRESS = "azora.notifications";
  /** Followed by a user id: that user's notifications alone, for event-bus bridge clients. */
  String USER_NOTIFICATIONS = "azora.notifications.";

  static TutoringService createProxy(Vertx vertx, DeliveryOptions options) {
    return new TutoringServiceVertxEBProxy(vertx, ADDRESS, options);
  }

  /**
   * The caller's last turns with Elara about {@code courseId} (null: questions about all their courses),
   * newest first: {@code {items: [{question, answer, sources, mode, askedAt}]}}.
   */
  Future<JsonObject> history(Caller caller, String courseId, int limit);

  /**
   * Entry to the live room of {@code courseId} (its instructor, learners enrolled once published, admins):
   * {@code {courseId, name, messages: [{from, name, text, at}...]}} (the last 50, oldest first); 404 for no
   * such course, 403 for someone else.
   */
  Future<JsonObject> joinRoom(Caller caller, String courseId);

  /** Keeps a chat message (1 to 2,000 characters) and publishes it on {@link #ROOMS_ADDRESS}; 403 if not a member. */
  Future<JsonObject> postToRoom(Caller caller, String courseId, String text);

  /** The caller's notifications, newest first: {@code {items, nextCursor, unread}} (unread counted up to 999). */
  Future<JsonObject> notifications(Caller caller, boolean unreadOnly, int limit, String cursor);

  /** Marks one of the caller's notifications read; 404 if it is not theirs. */
  Future<Void> markNotificationRead(Caller caller, String notificationId);
}
