package io.azora.platform;

import com.hazelcast.config.Config;
import com.hazelcast.config.FileSystemXmlConfig;
import com.hazelcast.config.ClasspathXmlConfig;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServer;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.ext.web.Router;
import io.vertx.micrometer.PrometheusScrapingHandler;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.FileNotFoundException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;

/**
 * One Azora node: a Vert.x instance (clustered or not) running the verticles that verticles.json and
 * the configuration select, side by side (ready once all are). Main runs one; tests run several.
 */
public final class Node {

  private static final Logger log = LoggerFactory.getLogger(Node.class);
  /** How long a stopping node waits after saying so before it stops taking calls (a bus publish takes ms). */
  static final long LEAVING_NOTICE_MS = 300;

  private final Vertx vertx;
  private final PrometheusMeterRegistry registry;
  /**
   * Deployment ids by their verticle's place in verticles.json: undeployed last first, whatever order the
   * side-by-side deployments finished in, so consumers (listed after their producers) stop before the
   * producers whose feeds they read.
   */
  private final java.util.concurrent.ConcurrentSkipListMap<Integer, String> deployments =
      new java.util.concurrent.ConcurrentSkipListMap<>();
  private HttpServer management;

  private Node(Vertx vertx, PrometheusMeterRegistry registry) {
    this.vertx = vertx;
    this.registry = registry;
  }

  public Vertx vertx() {
    return vertx;
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** Starts Vert.x and deploys the selected verticles with {@code config} (the whole configuration). */
  public static Future<Node> start(JsonObject given, JsonObject descriptor) {
    JsonObject config = withDomains(given, descriptor);
    AzoraConfig typed = AzoraConfig.from(config);
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    String registryName = "azora-" + UUID.randomUUID();
    MicrometerMetricsOptions metrics = new MicrometerMetricsOptions()
        .setEnabled(true)
        .setRegistryName(registryName)
        .setJvmMetricsEnabled(true)
        .addLabels(Label.HTTP_ROUTE, Label.HTTP_METHOD, Label.HTTP_CODE, Label.EB_ADDRESS, Label.EB_FAILURE, Label.POOL_NAME)
        // Raw TCP byte counters of every database and Redis connection cost more than they tell: off.
        .addDisabledMetricsCategory(MetricsDomain.NET_CLIENT)
        .addDisabledMetricsCategory(MetricsDomain.NET_SERVER)
        .addDisabledMetricsCategory(MetricsDomain.DATAGRAM_SOCKET)
        // Histogram buckets, so that dashboards and alerts can take p99s across nodes (histogram_quantile).
        .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true).setPublishQuantiles(true));
    // One event loop per core, as verticle instances are: no more threads than cores to switch between.
    EventBusOptions bus;
    try {
      CallerAssertion.configure(typed.node().callerKey(), typed.node().cluster());
      if (typed.node().cluster() && !CallerAssertion.enabled()) {
        log.warn("node.callerKey is not set: domains cannot check who a request acts for beyond the bus's own trust");
      }
      bus = eventBus(typed.node());
    } catch (IllegalStateException e) {
      return Future.failedFuture(e);
    }
    VertxOptions options = new VertxOptions().setPreferNativeTransport(true).setMetricsOptions(metrics)
        .setEventLoopPoolSize(Runtime.getRuntime().availableProcessors())
        .setEventBusOptions(bus);
    MicrometerMetricsFactory metricsFactory = new MicrometerMetricsFactory(registry);
    Future<Vertx> vertx = typed.node().cluster()
        ? clustered(options, metricsFactory, typed.node())
        : Future.succeededFuture(Vertx.builder().with(options).withMetrics(metricsFactory).build());
    return vertx.compose(v -> {
      v.eventBus().addOutboundInterceptor(RequestContext::propagate);
      v.eventBus().addOutboundInterceptor(CallerAssertion::signOutbound);
      Node node = new Node(v, registry);
      NodeMetrics.register(v, registry);
      if (typed.node().cluster()) {
        NodeHealth.of(v).register("cluster", () -> ((VertxInternal) v).clusterManager().isActive()
            ? Future.succeededFuture() : Future.failedFuture("cluster manager inactive"));
      }
      return node.deployAll(config, descriptor, typed.node().verticles(), typed.node().instances())
          .compose(x -> node.startManagement(typed.managementPort()))
          .map(node)
          .recover(err -> node.close().transform(ar -> Future.failedFuture(err)));
    });
  }

  /** Prometheus /metrics and the probes on the management port (every node, whatever it runs; 0 = off). */
  private Future<Void> startManagement(int port) {
    if (port <= 0) {
      return Future.succeededFuture();
    }
    Router router = Router.router(vertx);
    router.get("/metrics").handler(PrometheusScrapingHandler.create(registry));
    router.get("/health/live").handler(ctx -> ctx.json(new JsonObject().put("status", "UP")));
    router.get("/health/ready").handler(ctx -> NodeHealth.respond(vertx, ctx));
    return vertx.createHttpServer().requestHandler(router).listen(port).map(server -> {
      management = server;
      return null;
    });
  }

  /**
   * Deploys the selected verticles ({@code instancesOverride}, if > 0, replaces every instance count) side by
   * side: none needs another to start (a domain may run on a node of its own, a gateway finds the domains
   * wherever they are), and one after another a restarted node's start was the sum of its verticles'. The
   * node is not ready (/health/ready) until every one is deployed, so no balancer sends it requests before.
   */
  private Future<Void> deployAll(JsonObject config, JsonObject descriptor, List<String> selected, int instancesOverride) {
    List<Future<Void>> deploying = new ArrayList<>();
    JsonArray verticles = descriptor.getJsonArray("verticles", new JsonArray());
    for (int i = 0; i < verticles.size(); i++) {
      JsonObject v = verticles.getJsonObject(i);
      if (selected.isEmpty() || selected.contains(v.getString("name"))) {
        // Undeployed by this position, last first: the gateway, listed last, stops taking requests first.
        deploying.add(deploy(config, v.copy().put("position", i), instancesOverride));
      }
    }
    // join, not all: every deployment has ended (and is listed for close) before a failure is reported.
    Future<Void> deployed = Future.join(deploying).mapEmpty();
    NodeHealth.of(vertx).register("deployment", () -> deployed.succeeded() ? deployed
        : Future.failedFuture("verticles still starting"));
    return deployed;
  }

  private Future<Void> deploy(JsonObject config, JsonObject verticle, int instancesOverride) {
    String name = verticle.getString("name");
    int instances = instancesOverride > 0 ? instancesOverride : verticle.getInteger("instances", 1);
    int count = instances <= 0 ? Runtime.getRuntime().availableProcessors() : instances;
    String className = verticle.getString("class");
    return vertx.deployVerticle(() -> instantiate(className), new DeploymentOptions().setInstances(count).setConfig(config))
        .map(id -> {
          deployments.put(verticle.getInteger("position"), id);
          log.info("Deployed {} x{}", name, count);
          return null;
        });
  }


  /** The configuration with verticles.json's domains ({@code domains: [{name, routes}]}), for every verticle. */
  static JsonObject withDomains(JsonObject config, JsonObject descriptor) {
    JsonArray domains = new JsonArray();
    for (Object o : descriptor.getJsonArray("verticles", new JsonArray())) {
      JsonObject v = (JsonObject) o;
      if (v.getBoolean("domain", false)) {
        domains.add(new JsonObject().put("name", v.getString("name")).put("routes", v.getString("routes")));
      }
    }
    return config.copy().put("domains", domains);
  }

  private static io.vertx.core.Deployable instantiate(String className) {
    try {
      return (io.vertx.core.Deployable) Class.forName(className).getDeclaredConstructor().newInstance();
    } catch (ReflectiveOperationException e) {
      throw new IllegalArgumentException("Cannot create verticle " + className, e);
    }
  }

  /** Undeploys (gateway first, so it stops taking requests before the domains go), then leaves the cluster. */
  public Future<Void> close() {
    Future<Void> chain = management == null ? Future.succeededFuture() : management.close();
    ClusterRouting routing = ClusterRouting.of(vertx);
    if (routing != null) {
      // Tell every node first, so that no new call is sent here while this one drains what it has.
      String self = ((VertxInternal) vertx).clusterManager().getNodeId();
      vertx.eventBus().publish(ClusterRouting.LEAVING_ADDRESS, self);
      chain = chain.compose(v -> Future.<Void>future(p -> vertx.setTimer(LEAVING_NOTICE_MS, id -> p.complete())));
    }
    for (String id : deployments.descendingMap().values()) {
      chain = chain.compose(v -> vertx.undeploy(id)).recover(err -> {
        log.warn("Undeploy failed", err);
        return Future.succeededFuture();
      });
    }
    Promise<Void> closed = Promise.promise();
    // Closed from a plain thread: from one of its own event loops, Vert.x would complete the close on a
    // context it is shutting down, and the future would never complete.
    chain.onComplete(ar -> new Thread(() -> vertx.close().onComplete(closed), "azora-close").start());
    return closed.future().onComplete(ar -> {
      NodeHealth.forget(vertx);
      ClusterRouting.forget(vertx);
      NodeMetrics.forget(vertx);
      registry.close();
    });
  }

  /** verticles.json from the working directory, else the copy in the jar. */
  public static JsonObject descriptor(Vertx vertx) {
    return new JsonObject(vertx.fileSystem().readFileBlocking("verticles.json"));
  }

  /**
   * A clustered Vert.x whose sends go through {@link ClusterRouting} (Vert.x's round-robin, skipping nodes
   * seen leaving, and watched by the gateway), told by Hazelcast as soon as a member leaves.
   */
  private static Future<Vertx> clustered(VertxOptions options, MicrometerMetricsFactory metrics, AzoraConfig.Node node) {
    HazelcastClusterManager manager = new HazelcastClusterManager(hazelcast(node));
    ClusterRouting routing = new ClusterRouting();
    io.vertx.core.transport.Transport transport = options.getPreferNativeTransport()
        ? io.vertx.core.transport.Transport.nativeTransport() : null;
    io.vertx.core.impl.VertxBootstrapImpl bootstrap = (io.vertx.core.impl.VertxBootstrapImpl) io.vertx.core.internal.VertxBootstrap
        .create().options(options).metricsFactory(metrics);
    bootstrap.transport((transport != null ? transport : io.vertx.core.transport.Transport.NIO).implementation());
    bootstrap.clusterManager(manager).clusterNodeSelector(routing);
    return bootstrap.init().clusteredVertx().onSuccess(v -> {
      routing.bind(v);
      v.eventBus().<String>consumer(ClusterRouting.LEAVING_ADDRESS, msg -> routing.leaving(msg.body()));
      manager.getHazelcastInstance().getCluster().addMembershipListener(new com.hazelcast.cluster.MembershipListener() {
        @Override
        public void memberAdded(com.hazelcast.cluster.MembershipEvent event) {
        }

        @Override
        public void memberRemoved(com.hazelcast.cluster.MembershipEvent event) {
          // Vert.x names a node by its own id, kept as a member attribute (not Hazelcast's member UUID).
          String nodeId = event.getMember().getAttribute("__vertx.nodeId");
          if (nodeId != null) {
            routing.departed(nodeId);
          }
        }
      });
    });
  }

  /**
   * The event bus binds to the cluster address only; with {@code node.busTls} every connection is mutual
   * TLS: a node accepts only a peer showing a certificate of the cluster's CA and sends only to one
   * (hostnames are not checked by Vert.x's bus client, so a certificate need not name a pod's address).
   * A process that joins Hazelcast without one can register, but no message reaches it or comes from it.
   */
  static EventBusOptions eventBus(AzoraConfig.Node node) {
    EventBusOptions options = new EventBusOptions().setHost(node.clusterHost()).setPort(node.busPort());
    AzoraConfig.BusTls tls = node.busTls();
    if (!node.cluster()) {
      return options;
    }
    if (!tls.enabled()) {
      if (tls.required()) {
        throw new IllegalStateException("node.busTls.required is set but certPath, keyPath and caPath are not all set");
      }
      log.warn("The clustered event bus is not encrypted and admits any process that reaches {}: set node.busTls "
          + "(tools/cluster-ca.sh makes development certificates)", node.clusterHost());
      return options;
    }
    for (String path : List.of(tls.certPath(), tls.keyPath(), tls.caPath())) {
      if (!Files.isReadable(Path.of(path))) {
        throw new IllegalStateException("node.busTls: cannot read " + path);
      }
    }
    log.info("Event bus: mutual TLS with certificates of {}", tls.caPath());
    return options.setSsl(true).setClientAuth(ClientAuth.REQUIRED)
        .setKeyCertOptions(new PemKeyCertOptions().setCertPath(tls.certPath()).setKeyPath(tls.keyPath()))
        .setTrustOptions(new PemTrustOptions().addCertPath(tls.caPath()));
  }

  private static Config hazelcast(AzoraConfig.Node node) {
    Config config = load(() -> Files.exists(Path.of(node.clusterConfig()))
        ? new FileSystemXmlConfig(node.clusterConfig())
        : new ClasspathXmlConfig("conf/cluster.xml"));
    config.setClusterName(node.clusterName());
    config.getNetworkConfig().getInterfaces().setEnabled(true).setInterfaces(List.of(node.clusterHost()));
    // Listen on the cluster address only, not on every interface (Hazelcast's default binds them all).
    config.setProperty("hazelcast.socket.bind.any", "false");
    return config;
  }

  private static Config load(Callable<Config> loader) {
    try {
      return loader.call();
    } catch (FileNotFoundException e) {
      throw new IllegalStateException("Cluster configuration not found", e);
    } catch (Exception e) {
      throw new IllegalStateException("Cluster configuration is invalid", e);
    }
  }
}
