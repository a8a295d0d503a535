package io.azora.finance;

import io.vertx.codegen.annotations.ProxyGen;
import io.vertx.codegen.annotations.VertxGen;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;

/**
 * Escrow, what the marketplace asks of finance on the event bus (never reached over HTTP). Funding holds a
 * contract's milestones in the employer's wallet; each milestone is then released to the freelancer (less
 * the platform fee) or refunded, or a dispute splits whatever is still held. Transfer ids follow from the
 * contract and milestone, so every call can be retried: a repeat answers the first outcome, and a
 * milestone settles one way only (409 after). Failures are {@link io.vertx.serviceproxy.ServiceException}s
 * whose code is the HTTP status (400 invalid, 402 insufficient_funds, 404 never funded, 409 settled).
 */
@ProxyGen
@VertxGen
public interface EscrowService {

  String ADDRESS = "azora.finance.escrow";
  /** The only domain that may call: each call carries its signed assertion ({@code CallerAssertion.asService}). */
  String CALLER = "marketplace";

  static EscrowService createProxy(Vertx vertx, DeliveryOptions options) {
    return new EscrowServiceVertxEBProxy(vertx, ADDRESS, options);
  }

  /** Holds every milestone in escrow, or none (402 when the employer's available AZR fall short). */
  Future<EscrowState> fund(EscrowFunding funding);

  /** Pays the milestone to the freelancer, minus the platform fee. */
  Future<MilestoneOutcome> release(MilestoneRequest milestone);

  /** Returns the milestone's hold to the employer. */
  Future<MilestoneOutcome> refund(MilestoneRequest milestone);

  /** Settles a dispute over everything still held. */
  Future<SplitOutcome> split(EscrowSplit split);

  /** The contract's escrow now. */
  Future<EscrowState> state(String contractId);
}
