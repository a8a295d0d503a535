package io.azora.platform;

import io.vertx.core.MultiMap;
import io.vertx.core.eventbus.DeliveryContext;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Who a request acts for, as the gateway verified it from the access token, carried to the domains in a
 * bus header ({@link #HEADER}, through {@link RequestContext} like the request id, so a domain's call on to
 * another domain within the same request carries it too) and signed with the cluster's key (HMAC-SHA256,
 * {@code node.callerKey}). A domain checks it before money or roles move ({@link Rule}), rather than
 * believing a {@code userId} in the message: a process on the bus that is not a gateway cannot act for
 * anyone. A node not clustered signs with a key of its own; a cluster without a configured key does not
 * check (and says so at start).
 */
public final class CallerAssertion {

  public static final String HEADER = "x-azora-caller";
  /** The header of a domain's own (background) call: {@link #signService}. */
  public static final String SERVICE_HEADER = "x-azora-service";
  private static final String SIGN_AS = "sign:";
  /** A service's signature covers one call: it holds no longer than a call may take to arrive. */
  static final long SERVICE_TTL_MS = 60_000;
  /** How long an assertion holds: the longest a gateway waits on a call (ledger verification, 300 s). */
  static final long TTL_MS = 300_000;
  private static final byte[] PROCESS_KEY = new SecureRandom().generateSeed(32);
  private static volatile byte[] key;

  private CallerAssertion() {
  }

  /** The node's key: {@code node.callerKey} (base64, at least 32 bytes); blank: this process's own when not clustered, else none. */
  static void configure(String base64Key, boolean clustered) {
    if (base64Key != null && !base64Key.isBlank()) {
      byte[] k;
      try {
        k = Base64.getDecoder().decode(base64Key.strip());
      } catch (IllegalArgumentException e) {
        throw new IllegalStateException("node.callerKey is not base64");
      }
      if (k.length < 32) {
        throw new IllegalStateException("node.callerKey must be at least 32 bytes (base64)");
      }
      key = k;
    } else {
      key = clustered ? null : PROCESS_KEY;
    }
  }

  public static boolean enabled() {
    return key != null;
  }

  /** The signed assertion of {@code caller}, or null when the caller is anonymous or signing is off. */
  public static String sign(Caller caller) {
    byte[] k = key;
    if (k == null || caller == null || caller.anonymous()) {
      return null;
    }
    return signed(k, new JsonObject().put("u", caller.userId()).put("s", caller.sessionId())
        .put("r", caller.roles()).put("exp", System.currentTimeMillis() + TTL_MS));
  }

  /**
   * {@code options} carrying {@code caller}'s signed assertion (unchanged when signing is off), for calls the
   * gateway makes for a caller outside any HTTP request (a WebSocket's messages).
   */
  public static DeliveryOptions asCaller(DeliveryOptions options, Caller caller) {
    String assertion = sign(caller);
    return assertion == null ? options : options.addHeader(HEADER, assertion);
  }

  /** The caller an assertion names, if it is ours and current; null otherwise (a service's assertion names no caller). */
  public static Caller verify(String assertion) {
    JsonObject payload = payload(assertion);
    if (payload == null || !(payload.getValue("u") instanceof String user) || payload.getJsonArray("r") == null) {
      return null;
    }
    return new Caller(user, payload.getString("s"), payload.getJsonArray("r").stream().map(String::valueOf).toList());
  }

  /**
   * {@code options} for a call a domain makes itself ({@code service}: its name), in the background with no
   * user's request behind it (the marketplace's escrow steps). Marked only: {@link #signOutbound} signs the
   * send once its address, action and body are known, so that a signature seen on the bus cannot be
   * replayed for another call. Never passed on to further calls.
   */
  public static DeliveryOptions asService(DeliveryOptions options, String service) {
    return options.addHeader(SERVICE_HEADER, SIGN_AS + service);
  }

  /** The outbound interceptor (one per node, see {@link Node}) that signs the sends {@link #asService} marked. */
  static void signOutbound(DeliveryContext<Object> delivery) {
    Message<Object> message = delivery.message();
    String mark = message.headers().get(SERVICE_HEADER);
    if (mark != null && mark.startsWith(SIGN_AS)) {
      // The body as sent (a clustered message's body() is null until it is decoded on the other side).
      String signed = signService(mark.substring(SIGN_AS.length()), message.address(), message.headers().get("action"),
          delivery.body());
      if (signed == null) {
        message.headers().remove(SERVICE_HEADER);  // signing off: nothing checks it either
      } else {
        message.headers().set(SERVICE_HEADER, signed);
      }
    }
    delivery.next();
  }

  /** {@code service}'s signature of one call: to {@code address}, for {@code action}, with this body; null when signing is off. */
  public static String signService(String service, String address, String action, Object body) {
    byte[] k = key;
    if (k == null) {
      return null;
    }
    return signed(k, new JsonObject().put("svc", service).put("to", address).put("act", action).put("h", digest(body))
        .put("exp", System.currentTimeMillis() + SERVICE_TTL_MS));
  }

  /** The service that signed this very call (its address, action and body), if ours and current; null otherwise. */
  public static String verifyService(String assertion, String address, String action, Object body) {
    JsonObject payload = payload(assertion);
    if (payload == null || payload.containsKey("u") || !(payload.getValue("svc") instanceof String service)) {
      return null;
    }
    return Objects.equals(address, payload.getString("to")) && Objects.equals(action, payload.getString("act"))
        && digest(body).equals(payload.getString("h")) ? service : null;
  }

  private static String digest(Object body) {
    String text = body instanceof JsonObject json ? json.encode() : String.valueOf(body);
    try {
      return Base64.getUrlEncoder().withoutPadding().encodeToString(
          MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String signed(byte[] k, JsonObject payload) {
    String body = Base64.getUrlEncoder().withoutPadding().encodeToString(payload.encode().getBytes(StandardCharsets.UTF_8));
    return body + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(mac(k, body));
  }

  /** The payload of an assertion signed with this cluster's key and not expired; null otherwise. */
  private static JsonObject payload(String assertion) {
    byte[] k = key;
    if (k == null || assertion == null || assertion.length() > 4096) {
      return null;
    }
    int dot = assertion.indexOf('.');
    if (dot <= 0) {
      return null;
    }
    String body = assertion.substring(0, dot);
    try {
      byte[] given = Base64.getUrlDecoder().decode(assertion.substring(dot + 1));
      if (!MessageDigest.isEqual(given, mac(k, body))) {
        return null;
      }
      JsonObject payload = new JsonObject(new String(Base64.getUrlDecoder().decode(body), StandardCharsets.UTF_8));
      return payload.getLong("exp", 0L) < System.currentTimeMillis() ? null : payload;
    } catch (RuntimeException malformed) {
      return null;
    }
  }

  private static byte[] mac(byte[] k, String body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(k, "HmacSHA256"));
      return mac.doFinal(body.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Which calls of a service act for a user and must carry that user's assertion: a {@code caller} object
   * must be the asserted caller; a {@code userId} (or {@code adminId}) must be the asserted user, and the
   * admin-only actions need an asserted admin. Actions that name nobody (a login, a webhook) need none. A
   * service only another domain calls ({@link #onlyFrom}) needs that domain's assertion on every call.
   */
  public record Rule(Set<String> adminOnly, boolean userIdIsActor, Set<String> services) {

    /** Why the call to {@code address} is refused, or null when it may go on ({@code headers}: the call's, where its assertions travel). */
    public String refusal(String address, String action, JsonObject body, MultiMap headers) {
      if (!enabled()) {
        return null;
      }
      if (!services.isEmpty()) {
        String service = verifyService(headers.get(SERVICE_HEADER), address, action, body);
        return service != null && services.contains(service) ? null : "only " + String.join(", ", services) + " may call this";
      }
      Caller asserted = verify(headers.get(HEADER));
      JsonObject caller = body.getValue("caller") instanceof JsonObject c ? c : null;
      if (caller != null && caller.getString("userId") != null
          && (asserted == null || !asserted.equals(new Caller(caller)))) {
        return "the caller is not the one the gateway verified";
      }
      if (adminOnly.contains(action)) {
        if (asserted == null || !asserted.isAdmin()) {
          return "this needs a verified admin";
        }
        Object admin = body.getValue("adminId");
        return admin == null || admin.equals(asserted.userId()) ? null : "the admin is not the one the gateway verified";
      }
      Object user = body.getValue("userId");
      if (user != null && userIdIsActor && (asserted == null || !user.equals(asserted.userId()))) {
        return "the user is not the one the gateway verified";
      }
      return null;
    }

    /** For services whose calls name their user only in a {@code caller} object (a userId there is a target). */
    public static final Rule CALLER_ONLY = new Rule(Set.of(), false, Set.of());

    /** For services whose calls name their acting user in {@code userId}; the {@code adminOnly} actions need an admin. */
    public static Rule userIdActs(List<String> adminOnly) {
      return new Rule(Set.copyOf(adminOnly), true, Set.of());
    }

    /** For services only {@code service} calls, for itself (never for a user): every call carries its signed assertion. */
    public static Rule onlyFrom(String service) {
      return new Rule(Set.of(), false, Set.of(service));
    }
  }
}
