package io.azora.platform;

import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.spi.cluster.ClusterManager;

import java.util.UUID;

/** Which node this is, and whether another node is still in the cluster (as Vert.x's cluster manager sees it). */
public interface ClusterMembers {

  String self();

  boolean alive(String node);

  /** Names this process when it is not clustered (a restart is another process). */
  String PROCESS = UUID.randomUUID().toString();

  /** The cluster of {@code vertx}; a node not clustered is the only one there is. */
  static ClusterMembers of(Vertx vertx) {
    ClusterManager manager = ((VertxInternal) vertx).clusterManager();
    String self = manager == null ? PROCESS : manager.getNodeId();
    return new ClusterMembers() {
      @Override
      public String self() {
        return self;
      }

      @Override
      public boolean alive(String node) {
        return self.equals(node) || manager != null && manager.getNodes().contains(node);
      }
    };
  }
}
