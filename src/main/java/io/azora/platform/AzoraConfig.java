package io.azora.platform;

import io.vertx.core.json.JsonObject;

import java.util.Arrays;
import java.util.List;

/** The configuration, read once at start into typed records. Secrets never appear in toString(). */
public record AzoraConfig(Node node, Http http, Database database, Redis redis, Auth auth, Google google,
                          RateLimit rateLimit, int managementPort, Mail mail, Nexus nexus, List<Domain> domains) {

  /**
   * A domain as verticles.json declares it (every node knows them all, whichever it runs): its name (also
   * its Nexus source, its health and parked-event addresses) and the gateway class of its HTTP routes.
   */
  public record Domain(String name, String routes) {
  }

  /**
   * Poison events: attempts before an event is parked, and the first retry's delay (doubling after); how often
   * the relay holding the lease looks for events no commit announced, and how often each group's catch-up
   * reads the feed on each node.
   */
  public record Nexus(int maxAttempts, long retryBaseMs, long relayPollMs, long catchUpMs) {
  }

  public record Node(String dataDir, boolean cluster, String clusterConfig, String clusterHost, String clusterName,
                     List<String> verticles, int shutdownGraceSeconds, int instances, int busPort, BusTls busTls,
                     String callerKey) {
  }

  /**
   * Mutual TLS on the clustered event bus: this node's certificate and key and the CA that signed every
   * node's (PEM files). On when all three are set; {@code required} refuses to start a clustered node
   * without them (production), instead of warning.
   */
  public record BusTls(String certPath, String keyPath, String caPath, boolean required) {
    public boolean enabled() {
      return !certPath.isBlank() && !keyPath.isBlank() && !caPath.isBlank();
    }
  }

  private static BusTls busTls(JsonObject tls) {
    return new BusTls(tls.getString("certPath", ""), tls.getString("keyPath", ""), tls.getString("caPath", ""),
        tls.getBoolean("required", false));
  }

  public record Http(String host, int port, int bodyLimitBytes, List<String> corsOrigins, List<String> trustedProxies,
                     long serviceTimeoutMs, String publicBaseUrl, int maxCallsPerDomain) {
  }

  public record Database(String url, String host, int port, String user, String password, int poolSize,
                         JsonObject names, JsonObject readUrls) {
    public boolean embedded() {
      return url.isBlank() && host.isBlank();
    }

    /** The database a domain owns, e.g. {@code finance} → {@code azora_mint}; {@code azora_<domain>} if not configured. */
    public String nameOf(String domain) {
      String name = names.getString(domain);
      return name == null || name.isBlank() ? "azora_" + domain : name;
    }

    /** The read replica of a domain's database ({@code database.readUrls.<domain>}), or "" for none. */
    public String readUrlOf(String domain) {
      return readUrls.getString(domain, "");
    }

    @Override
    public String toString() {
      return "Database[host=" + host + ", port=" + port + ", user=" + user + ", password=***, poolSize=" + poolSize + "]";
    }
  }

  public record Redis(String url, int poolSize, String keyPrefix, long timeoutMs) {
    public boolean embedded() {
      return url.isBlank();
    }

    @Override
    public String toString() {
      return "Redis[url=" + (url.isBlank() ? "embedded" : url.replaceAll("//[^@]*@", "//***@")) + ", poolSize=" + poolSize + "]";
    }
  }

  public record Auth(String issuer, String audience, int accessTokenTtlSeconds, int refreshTokenTtlDays,
                     int signingKeyRotationDays, int passwordMinLength, int passwordMaxLength,
                     int loginFailuresBeforeThrottle, int loginThrottleBaseSeconds, int loginThrottleMaxSeconds,
                     String mfaIssuer, String adminEmail, String adminPassword, String adminName, String totpKeys,
                     int emailVerificationHours, int maxPendingHashes) {
    @Override
    public String toString() {
      return "Auth[issuer=" + issuer + ", audience=" + audience + ", accessTokenTtlSeconds=" + accessTokenTtlSeconds
          + ", adminEmail=" + adminEmail + ", adminPassword=***, totpKeys=" + (totpKeys.isBlank() ? "none" : "***") + "]";
    }
  }

  /** Outgoing mail (SMTP); no host: mails are written to the log. */
  public record Mail(String host, int port, String username, String password, String starttls, boolean ssl,
                     String from) {
    public boolean enabled() {
      return !host.isBlank();
    }

    @Override
    public String toString() {
      return "Mail[" + (enabled() ? host + ":" + port + ", from=" + from + ", password=***" : "to the log") + "]";
    }
  }

  public record Google(String clientId, String clientSecret, String authorizationEndpoint, String tokenEndpoint,
                       String jwksUri, String issuer, String redirectUri) {
    public boolean enabled() {
      return !clientId.isBlank();
    }

    @Override
    public String toString() {
      return "Google[clientId=" + clientId + ", clientSecret=***, issuer=" + issuer + "]";
    }
  }

  public record RateLimit(int windowSeconds, int anonymous, int authenticated, int loginPerIp) {
  }

  public static AzoraConfig from(JsonObject c) {
    JsonObject node = c.getJsonObject("node", new JsonObject());
    JsonObject http = c.getJsonObject("http", new JsonObject());
    JsonObject db = c.getJsonObject("database", new JsonObject());
    JsonObject redis = c.getJsonObject("redis", new JsonObject());
    JsonObject auth = c.getJsonObject("auth", new JsonObject());
    JsonObject google = c.getJsonObject("google", new JsonObject());
    JsonObject rl = c.getJsonObject("rateLimit", new JsonObject());
    JsonObject names = new JsonObject();
    for (String domain : List.of("auth", "education", "finance", "marketplace", "tutoring")) {
      names.put(domain, db.getString(domain, "azora_" + domain));
    }
    return new AzoraConfig(
        new Node(node.getString("dataDir", "./data"), node.getBoolean("cluster", false),
            node.getString("clusterConfig", "conf/cluster.xml"), node.getString("clusterHost", "127.0.0.1"),
            node.getString("clusterName", "azora"),
            list(node.getString("verticles", "")), node.getInteger("shutdownGraceSeconds", 10),
            node.getInteger("instances", 0), node.getInteger("busPort", 0), busTls(node.getJsonObject("busTls", new JsonObject())),
            node.getString("callerKey", "")),
        new Http(http.getString("host", "0.0.0.0"), http.getInteger("port", 4000),
            http.getInteger("bodyLimitBytes", 1 << 20), list(http.getString("corsOrigins", "")),
            list(http.getString("trustedProxies", "")),
            http.getLong("serviceTimeoutMs", 5000L), http.getString("publicBaseUrl", "http://localhost:4000"),
            Math.max(1, http.getInteger("maxCallsPerDomain", 512))),
        new Database(db.getString("url", ""), db.getString("host", ""), db.getInteger("port", 5432),
            db.getString("user", "postgres"), db.getString("password", ""), db.getInteger("poolSize", 16), names,
            db.getJsonObject("readUrls", new JsonObject())),
        new Redis(redis.getString("url", ""), redis.getInteger("poolSize", 32), redis.getString("keyPrefix", "azora:"),
            Math.max(50, redis.getLong("timeoutMs", 1000L))),
        new Auth(auth.getString("issuer", "https://azora.local"), auth.getString("audience", "azora-api"),
            auth.getInteger("accessTokenTtlSeconds", 900), auth.getInteger("refreshTokenTtlDays", 30),
            auth.getInteger("signingKeyRotationDays", 30), auth.getInteger("passwordMinLength", 8),
            auth.getInteger("passwordMaxLength", 1024), auth.getInteger("loginFailuresBeforeThrottle", 5),
            auth.getInteger("loginThrottleBaseSeconds", 2), auth.getInteger("loginThrottleMaxSeconds", 900),
            auth.getString("mfaIssuer", "Azora"), auth.getString("adminEmail", ""),
            auth.getString("adminPassword", ""), auth.getString("adminName", "Administrator"),
            auth.getString("totpKeys", ""), auth.getInteger("emailVerificationHours", 48),
            Math.max(1, auth.getInteger("maxPendingHashes", 32))),
        new Google(google.getString("clientId", ""), google.getString("clientSecret", ""),
            google.getString("authorizationEndpoint", ""), google.getString("tokenEndpoint", ""),
            google.getString("jwksUri", ""), google.getString("issuer", "https://accounts.google.com"),
            google.getString("redirectUri", "")),
        new RateLimit(rl.getInteger("windowSeconds", 900), rl.getInteger("anonymous", 100),
            rl.getInteger("authenticated", 1000), rl.getInteger("loginPerIp", 20)),
        c.getJsonObject("management", new JsonObject()).getInteger("port", 9090),
        mail(c.getJsonObject("mail", new JsonObject())),
        nexus(c.getJsonObject("nexus", new JsonObject())),
        c.getJsonArray("domains", new io.vertx.core.json.JsonArray()).stream().map(JsonObject.class::cast)
            .map(d -> new Domain(d.getString("name"), d.getString("routes"))).toList());
  }

  private static Nexus nexus(JsonObject n) {
    return new Nexus(Math.max(1, n.getInteger("maxAttempts", 10)), Math.max(10, n.getLong("retryBaseMs", 1000L)),
        Math.max(50, n.getLong("relayPollMs", 1000L)), Math.max(50, n.getLong("catchUpMs", 2000L)));
  }

  private static Mail mail(JsonObject m) {
    return new Mail(m.getString("host", ""), m.getInteger("port", 587), m.getString("username", ""),
        m.getString("password", ""), m.getString("starttls", "OPTIONAL"), m.getBoolean("ssl", false),
        m.getString("from", "Azora <no-reply@azora.local>"));
  }

  private static List<String> list(String csv) {
    return Arrays.stream(csv.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
  }
}
