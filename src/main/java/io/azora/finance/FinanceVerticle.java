package io.azora.finance;

import io.azora.auth.AuthEvents;
import io.azora.auth.IdentityService;
import io.azora.education.EducationEvents;
import io.azora.platform.AzoraConfig;
import io.azora.platform.CallerAssertion;
import io.azora.platform.Databases;
import io.azora.platform.Deadline;
import io.azora.platform.Nexus;
import io.azora.platform.NodeMetrics;
import io.azora.platform.NexusSubscription;
import io.azora.platform.Services;
import io.azora.platform.StopList;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.sqlclient.Pool;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Wires finance: its database (azora_mint) and migrations, the system accounts and genesis, wallets
 * opened on user.registered, the service on the bus, its outbox relay.
 */
public class FinanceVerticle extends VerticleBase {

  /** Rewards a mint transaction takes at most, and how often each instance looks for rewards left queued. */
  private static final int MINT_BATCH = 500;
  private static final long MINT_SWEEP_MS = 5_000;

  private Pool pool;
  private final StopList running = new StopList();
  private final List<NexusSubscription> subscriptions = new ArrayList<>();

  @Override
  public Future<?> start() {
    AzoraConfig config = AzoraConfig.from(config());
    FinanceConfig finance = FinanceConfig.from(config());
    long timeout = config.http().serviceTimeoutMs();
    Supplier<IdentityService> auth = () -> IdentityService.createProxy(vertx, Deadline.delivery(timeout));
    return Databases.open(vertx, config.database(), "finance").compose(p -> {
      pool = p;
      Mining mining = new Mining(vertx, pool, finance);
      FinanceServiceImpl service = new FinanceServiceImpl(new Wallets(vertx, pool, auth, new LedgerBatcher(pool, 256, 2).counted(NodeMetrics.of(vertx))),
          new LedgerVerifier(pool, NodeMetrics.of(vertx)),
          mining, new Staking(pool, finance),
          new Payments(vertx, pool, finance.stripe(), new StripeGateway(vertx, finance.stripe())));
      return Genesis.run(pool, finance)
          .compose(v -> Nexus.relay(vertx, config, FinanceEvents.SOURCE))
          .compose(relay -> {
            running.add(relay, Nexus.Relay::release);
            return Nexus.subscribe(vertx, pool, "finance", Set.of(AuthEvents.USER_REGISTERED),
                (tx, event) -> Ledger.openWallet(tx, event.data().getString("userId")));
          })
          .compose(registrations -> {
            running.add(registrations, NexusSubscription::stop);
            subscriptions.add(registrations);
            // Proof-of-Knowledge: what education verifies, finance rewards, exactly once per activity; the
            // inbox transaction queues the reward and the minter mints all that is queued in one transaction.
            MintBatches minter = running.add(new MintBatches(vertx, mining, MINT_BATCH, MINT_SWEEP_MS), MintBatches::stop);
            return Nexus.subscribe(vertx, pool, "finance", Set.of(EducationEvents.ASSESSMENT_PASSED, EducationEvents.COURSE_COMPLETED),
                mining::onVerified).map(subscription -> subscription.afterCommit(event -> {
                  if (Boolean.TRUE.equals(event.data().getValue("rewardable"))) {
                    minter.nudge();
                  }
                }));
          })
          .compose(verifiedActivities -> {
            running.add(verifiedActivities, NexusSubscription::stop);
            subscriptions.add(verifiedActivities);
            running.add(Nexus.parkedEvents(vertx, pool, FinanceEvents.SOURCE, subscriptions), MessageConsumer::unregister);
            MessageConsumer<JsonObject> escrowBinding = running.add(
                // Escrow pays whoever a call names: only the marketplace's signed calls are taken.
                Services.bind(vertx, EscrowService.ADDRESS, EscrowService.class, new Escrow(pool, finance),
                    CallerAssertion.Rule.onlyFrom(EscrowService.CALLER)),
                MessageConsumer::unregister);
            // Ready only when both services are reachable cluster-wide.
            return Future.all(escrowBinding.completion(), Services.serve(vertx, running, FinanceService.ADDRESS,
                FinanceService.class, service, FinanceEvents.SOURCE, pool,
                // Moving a user's money needs that user's verified caller (or, for a grant, a verified admin).
                CallerAssertion.Rule.userIdActs(List.of("grant", "owedBalances", "verifyLedger")))).mapEmpty();
          });
    });
  }

  @Override
  public Future<?> stop() {
    return running.stopAll().eventually(() -> pool == null ? Future.succeededFuture() : pool.close());
  }
}
