package io.azora.gateway;

import io.azora.gateway.Api.Access;
import io.azora.platform.Caller;
import io.azora.platform.CallerAssertion;
import io.azora.tutoring.TutoringService;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.bridge.PermittedOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.sockjs.BridgeEvent;
import io.vertx.ext.web.handler.sockjs.SockJSBridgeOptions;
import io.vertx.ext.web.handler.sockjs.SockJSHandler;
import io.vertx.ext.web.handler.sockjs.SockJSHandlerOptions;
import io.vertx.ext.web.handler.sockjs.SockJSSocket;
import io.vertx.ext.web.handler.sockjs.Transport;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The event bus for clients in any language: vertx-web's SockJS bridge at {@code /api/bridge} (the plain
 * WebSocket endpoint {@code /api/bridge/websocket} speaks the bridge's JSON frames with no SockJS framing,
 * so a client needs only a WebSocket), authenticated at the upgrade like every socket here, bounded by the
 * same message size. A connection may
 * <ul>
 *   <li>register for its own notifications, {@code azora.notifications.<its user id>}, and nothing else;</li>
 *   <li>send to tutoring's service the two calls about its own notifications ({@code action} header
 *   {@code notifications} or {@code markNotificationRead}), as itself: whatever caller the frame names is
 *   replaced with the connection's.</li>
 * </ul>
 * Everything else is refused by the bridge's permissions or by {@link #onEvent}. Sends count against the
 * user's rate limit; the connection closes when its session is revoked or its token expires.
 */
final class EventBusBridge {

  static final String PATH = "/api/bridge";
  private static final Set<String> ACTIONS = Set.of("notifications", "markNotificationRead");
  private static final Pattern OWN_NOTIFICATIONS = Pattern.compile(Pattern.quote(TutoringService.USER_NOTIFICATIONS)
      + "[0-9a-f-]{36}");

  private final Api api;
  private final Map<SockJSSocket, Connection> connections = new HashMap<>();

  /** Who a bridge connection is, and how the session registry closes it. */
  private record Connection(Caller caller, Sockets.Closer closer, long expiryTimer) {
  }

  EventBusBridge(Api api) {
    this.api = api;
  }

  void mount(Router router) {
    SockJSHandlerOptions sockJs = new SockJSHandlerOptions().setRegisterWriteHandler(false).setLocalWriteHandler(true)
        // WebSocket only: the polling transports would bypass the socket limits and the upgrade's authentication.
        .addDisabledTransport(Transport.EVENT_SOURCE.name()).addDisabledTransport(Transport.HTML_FILE.name())
        .addDisabledTransport(Transport.JSON_P.name()).addDisabledTransport(Transport.XHR.name());
    SockJSBridgeOptions bridge = new SockJSBridgeOptions()
        .addInboundPermitted(new PermittedOptions().setAddress(TutoringService.ADDRESS))
        .addOutboundPermitted(new PermittedOptions().setAddressRegex(OWN_NOTIFICATIONS.pattern()))
        .setMaxAddressLength(100).setMaxHandlersPerSocket(16).setReplyTimeout(api.config().http().serviceTimeoutMs())
        .setPingTimeout(LiveSocket.SILENCE_MS);
    router.route(PATH + "/*").handler(TutoringRoutes::socketToken).handler(api.guard(Access.USER))
        .subRouter(SockJSHandler.create(api.vertx(), sockJs).bridge(bridge, this::onEvent));
  }

  private void onEvent(BridgeEvent event) {
    SockJSSocket socket = event.socket();
    switch (event.type()) {
      case SOCKET_CREATED -> event.complete(open(socket));
      case SOCKET_CLOSED -> {
        close(socket);
        event.complete(true);
      }
      case REGISTER -> {
        Connection connection = connections.get(socket);
        event.complete(connection != null && (TutoringService.USER_NOTIFICATIONS + connection.caller().userId())
            .equals(event.getRawMessage().getString("address")));
      }
      case SEND -> send(event, connections.get(socket));
      case PUBLISH -> event.complete(false);
      default -> event.complete(true);  // receiving (outbound permissions apply), pings, unregistering
    }
  }

  private boolean open(SockJSSocket socket) {
    Caller caller = socket.routingContext() == null ? null : Api.caller(socket.routingContext());
    if (caller == null) {
      return false;
    }
    long expiresAt = api.tokenExpiresAt(socket.routingContext());
    Sockets.Closer closer = (code, reason) -> {
      socket.close(code, reason);
      return Future.succeededFuture();
    };
    if (!api.sockets().add(caller.sessionId(), closer)) {
      return false;
    }
    long timer = expiresAt <= 0 ? -1 : api.vertx().setTimer(Math.max(1, expiresAt * 1000 - System.currentTimeMillis()),
        id -> socket.close(1008, "Access token expired"));
    connections.put(socket, new Connection(caller, closer, timer));
    return true;
  }

  private void close(SockJSSocket socket) {
    Connection connection = connections.remove(socket);
    if (connection != null) {
      api.vertx().cancelTimer(connection.expiryTimer());
      api.sockets().remove(connection.caller().sessionId(), connection.closer());
    }
  }

  /** A call to tutoring about the connection's own notifications, made as the connection's caller. */
  private void send(BridgeEvent event, Connection connection) {
    JsonObject frame = event.getRawMessage();
    JsonObject headers = frame.getJsonObject("headers");
    String action = headers == null ? null : headers.getString("action");
    if (connection == null || !TutoringService.ADDRESS.equals(frame.getString("address")) || !ACTIONS.contains(action)
        || !(frame.getValue("body") instanceof JsonObject body)) {
      event.complete(false);
      return;
    }
    Caller caller = connection.caller();
    api.count("user:" + caller.userId(), caller.sessionId(), api.config().rateLimit().authenticated(),
            api.config().rateLimit().windowSeconds())
        .onFailure(err -> event.complete(false))
        .onSuccess(decision -> {
          if (decision.denied()) {
            event.socket().close(1008, "Session ended");
            event.complete(false);
          } else if (!decision.allowed()) {
            event.complete(false);
          } else {
            JsonObject outbound = new JsonObject().put("action", action);  // only ours: the client's are dropped
            String assertion = CallerAssertion.sign(caller);
            if (assertion != null) {
              outbound.put(CallerAssertion.HEADER, assertion);
            }
            event.setRawMessage(frame.copy().put("headers", outbound)
                .put("body", body.copy().put("caller", caller.toJson())));
            event.complete(true);
          }
        });
  }
}
