package io.azora.support;

import io.azora.platform.Caller;
import io.azora.platform.CallerAssertion;

import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.serviceproxy.ServiceBinder;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The fast test tier: one domain's verticle deployed alone (one instance, no gateway, no cluster) against
 * the real PostgreSQL and Redis, with fakes of the other domains' services bound on their addresses.
 * Tests call the domain's own service proxy, so a rule's table of cases runs in seconds; what a user sees
 * through HTTP stays with the full-node tests.
 */
public final class DomainAlone implements AutoCloseable {

  private final TestNode node;
  private final List<MessageConsumer<JsonObject>> fakes = new ArrayList<>();

  private DomainAlone(TestNode node) {
    this.node = node;
    // The test stands where the gateway would: it signs each call for the user the call names (an admin
    // for adminId), as the gateway does for the caller it verified (CallerAssertion).
    node.vertx().eventBus().addOutboundInterceptor(delivery -> {
      if (delivery.message().body() instanceof JsonObject body && !delivery.message().headers().contains(CallerAssertion.HEADER)) {
        Object caller = body.getValue("caller");
        Object admin = body.getValue("adminId");
        Object user = body.getValue("userId");
        String signed = caller instanceof JsonObject c && c.getString("userId") != null ? CallerAssertion.sign(new Caller(c))
            : admin instanceof String a ? CallerAssertion.sign(new Caller(a, "test", List.of("admin")))
            : user instanceof String u ? CallerAssertion.sign(new Caller(u, "test", List.of("student"))) : null;
        if (signed != null) {
          delivery.message().headers().add(CallerAssertion.HEADER, signed);
        }
      }
      delivery.next();
    });
  }

  /** Starts {@code domain}'s verticle alone; {@code extra} configuration is merged over the test defaults. */
  public static DomainAlone start(String domain, JsonObject extra) {
    JsonObject config = new JsonObject().put("node", new JsonObject().put("verticles", domain).put("instances", 1));
    return new DomainAlone(TestNode.start(config.mergeIn(extra, true)));
  }

  /** Binds {@code fake} as the service of {@code type} on {@code address}, where the real domain would answer. */
  public <T> DomainAlone fake(String address, Class<T> type, T fake) {
    fakes.add(new ServiceBinder(vertx()).setAddress(address).register(type, fake));
    return this;
  }

  /** Delivery options for calls to the domain under test. */
  public static DeliveryOptions calls() {
    return new DeliveryOptions().setSendTimeout(10_000);
  }

  public Vertx vertx() {
    return node.vertx();
  }

  public TestNode node() {
    return node;
  }

  @Override
  public void close() throws Exception {
    for (MessageConsumer<JsonObject> fake : fakes) {
      fake.unregister().await(5, TimeUnit.SECONDS);
    }
    node.close();
  }
}
