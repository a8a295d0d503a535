package io.azora.platform;

import io.vertx.core.Completable;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.impl.clustered.DefaultNodeSelector;
import io.vertx.core.eventbus.impl.clustered.NodeSelector;
import io.vertx.core.spi.cluster.ClusteredNode;
import io.vertx.core.spi.cluster.RegistrationUpdateEvent;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * Which node a request goes to, where this node can act on it. Vert.x's own round-robin selection of a
 * node for each send ({@link DefaultNodeSelector}) is wrapped so that:
 * <ul>
 *   <li>a node Hazelcast has seen leave is skipped at once (its registrations are cleaned up a little
 *   later), and</li>
 *   <li>a caller can {@link #watched watch} the sends it makes: when the node one went to leaves before the
 *   answer, the call fails at once (or, if it may be repeated, is made again on a node still there)
 *   instead of waiting out its whole timeout.</li>
 * </ul>
 * Vert.x offers no public hook for this: the selector is set through its bootstrap (internal API, checked
 * at each Vert.x upgrade by the failover test).
 */
public final class ClusterRouting implements NodeSelector {

  private static final Map<Vertx, ClusterRouting> PER_VERTX = new ConcurrentHashMap<>();
  /** The nodes chosen for the sends the current thread makes inside {@link #watched}. */
  private static final ThreadLocal<List<String>> CHOSEN = new ThreadLocal<>();

  private final NodeSelector selector = new DefaultNodeSelector();
  private final Set<String> departed = ConcurrentHashMap.newKeySet();
  /** Nodes stopping gracefully: no new sends go there; what they have under way they finish. */
  private final Set<String> leaving = ConcurrentHashMap.newKeySet();

  /** Where a node stopping gracefully says so, before it stops taking calls. */
  public static final String LEAVING_ADDRESS = "azora.cluster.leaving";
  private final Map<String, Set<Watch>> watches = new ConcurrentHashMap<>();

  /** A call waiting on {@code node}'s answer, and what to do if that node leaves first. */
  private record Watch(String node, Runnable onDeparture) {
  }

  /** The node a call could not wait for: it left the cluster before answering. */
  public static final class NodeLost extends RuntimeException {
    NodeLost(String node) {
      super("node " + node + " left the cluster before answering", null, false, false);
    }
  }

  void bind(Vertx vertx) {
    PER_VERTX.put(vertx, this);
  }

  static void forget(Vertx vertx) {
    PER_VERTX.remove(vertx);
  }

  /** This node's routing; null when it is not clustered. */
  public static ClusterRouting of(Vertx vertx) {
    return PER_VERTX.get(vertx);
  }

  /** {@code node} is stopping: sends avoid it from now on (its calls under way are still answered). */
  void leaving(String node) {
    leaving.add(node);
  }

  /** Hazelcast saw {@code node} leave: no send goes there any more, and calls waiting on it stop waiting. */
  void departed(String node) {
    departed.add(node);
    Set<Watch> waiting = watches.remove(node);
    if (waiting != null) {
      waiting.forEach(w -> w.onDeparture().run());
    }
  }

  /**
   * Makes {@code call} and watches the nodes its sends went to: if one leaves before the answer, the
   * answer is made again once when {@code repeatable} (a read), else a {@link NodeLost} failure, at once.
   * Not clustered, or nothing sent to another node: the call's own future.
   */
  public static <T> Future<T> watched(Vertx vertx, Supplier<Future<T>> call, boolean repeatable) {
    ClusterRouting routing = of(vertx);
    return routing == null ? call.get() : routing.watch(call, repeatable);
  }

  private <T> Future<T> watch(Supplier<Future<T>> call, boolean repeatable) {
    List<String> chosen = new ArrayList<>(1);
    CHOSEN.set(chosen);
    Future<T> first;
    try {
      first = call.get();
    } finally {
      CHOSEN.remove();
    }
    if (chosen.isEmpty() || first.isComplete()) {
      return first;
    }
    Context context = Vertx.currentContext();
    Promise<T> answer = Promise.promise();
    AtomicBoolean rerouted = new AtomicBoolean();
    List<Watch> mine = new ArrayList<>(chosen.size());
    Runnable onDeparture = () -> {
      if (!rerouted.compareAndSet(false, true)) {
        return;
      }
      Runnable act = () -> {
        if (repeatable) {
          watch(call, false).onComplete(answer);
        } else {
          answer.tryFail(new NodeLost(chosen.get(0)));
        }
      };
      if (context == null) {
        act.run();
      } else {
        context.runOnContext(v -> act.run());
      }
    };
    for (String node : chosen) {
      Watch w = new Watch(node, onDeparture);
      mine.add(w);
      watches.computeIfAbsent(node, n -> ConcurrentHashMap.newKeySet()).add(w);
      if (departed.contains(node)) {
        onDeparture.run();  // it left between the choice and now
      }
    }
    first.onComplete(ar -> {
      mine.forEach(w -> {
        Set<Watch> set = watches.get(w.node());
        if (set != null) {
          set.remove(w);
        }
      });
      if (!rerouted.get()) {
        if (ar.succeeded()) {
          answer.tryComplete(ar.result());
        } else {
          answer.tryFail(ar.cause());
        }
      }
    });
    return answer.future();
  }

  @Override
  public void init(ClusteredNode node) {
    selector.init(node);
  }

  @Override
  public void eventBusStarted() {
    selector.eventBusStarted();
  }

  @Override
  public void selectForSend(String address, Completable<String> promise) {
    List<String> chosen = CHOSEN.get();
    select(address, promise, chosen, 3);
  }

  /** Round-robin past departed nodes (a few tries: the next ones usually are not). */
  private void select(String address, Completable<String> promise, List<String> chosen, int tries) {
    selector.selectForSend(address, (node, err) -> {
      if (err == null && node != null && (departed.contains(node) || leaving.contains(node)) && tries > 1) {
        select(address, promise, chosen, tries - 1);
        return;
      }
      if (err == null && node != null && chosen != null && CHOSEN.get() == chosen) {
        chosen.add(node);  // chosen on the caller's thread, inside watched(): watch it
      }
      promise.complete(node, err);
    });
  }

  @Override
  public void selectForPublish(String address, Completable<Iterable<String>> promise) {
    selector.selectForPublish(address, promise);
  }

  @Override
  public boolean wantsUpdatesFor(String address) {
    return selector.wantsUpdatesFor(address);
  }

  @Override
  public void registrationsUpdated(RegistrationUpdateEvent event) {
    selector.registrationsUpdated(event);
  }

  @Override
  public void registrationsLost() {
    selector.registrationsLost();
  }
}
