package io.azora.finance;

import com.stripe.exception.SignatureVerificationException;
import io.azora.platform.DomainEvent;
import io.azora.platform.Ids;
import io.azora.platform.Money;
import io.azora.platform.OutboxRelay;
import io.azora.platform.Problems;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.serviceproxy.ServiceException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Buying AZR by card. An intent is created with Stripe and stored; Stripe's signed webhook then says
 * what happened: payment_intent.succeeded moves the AZR from the treasury to the buyer once per intent
 * (the transfer's id follows from the intent), failures and cancellations mark the intent, and
 * charge.refunded takes the AZR back as far as the wallet allows, recording the rest as owed.
 */
final class Payments {

  private static final Logger log = LoggerFactory.getLogger(Payments.class);
  private static final String INSERT = """
      INSERT INTO payment_intents (id, user_id, azr, amount_cents, currency, status) VALUES ($1, $2, $3, $4, $5, 'created')
      ON CONFLICT (id) DO NOTHING""";
  private static final String FIND = "SELECT * FROM payment_intents WHERE id = $1";
  private static final String LOCK = "SELECT * FROM payment_intents WHERE id = $1 FOR UPDATE";
  private static final String SEEN = "INSERT INTO stripe_events (id, type) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING id";
  private static final String STATUS = "UPDATE payment_intents SET status = $2, updated_at = now() WHERE id = $1";
  private static final String REFUNDED = """
      UPDATE payment_intents SET refunded_cents = $2, taken_back = taken_back + $3, owed = owed + $4, updated_at = now()
      WHERE id = $1""";
  private static final String AVAILABLE = "SELECT balance - held FROM accounts WHERE id = $1 FOR UPDATE";
  private static final BigDecimal CENTS = BigDecimal.valueOf(100);

  private final Vertx vertx;
  private final Pool pool;
  private final FinanceConfig.Stripe config;
  private final StripeGateway stripe;

  Payments(Vertx vertx, Pool pool, FinanceConfig.Stripe config, StripeGateway stripe) {
    this.vertx = vertx;
    this.pool = pool;
    this.config = config;
    this.stripe = stripe;
  }

  /** The card price of {@code azr} minor units, in cents, rounded up to the cent. */
  long priceCents(long azr) {
    return BigDecimal.valueOf(azr, Money.SCALE).multiply(config.priceUsdPerAzr()).multiply(CENTS)
        .setScale(0, RoundingMode.CEILING).longValueExact();
  }

  Future<JsonObject> createIntent(String userId, JsonObject request, String idempotencyKey) {
    long azr;
    try {
      azr = Money.parsePositive(request.getValue("azrAmount"), "azrAmount");
    } catch (ServiceException e) {
      return Future.failedFuture(e);
    }
    long cents = priceCents(azr);
    if (cents < config.minimumCents()) {
      return Problems.fail(Problems.invalid("azrAmount", "the smallest purchase is "
          + Money.format(BigDecimal.valueOf(config.minimumCents()).divide(CENTS).divide(config.priceUsdPerAzr(), Money.SCALE,
              RoundingMode.CEILING).movePointRight(Money.SCALE).longValueExact()) + " AZR"));
    }
    // Stripe answers a retried creation with the intent it made the first time.
    String stripeKey = Ids.derive("payment-intent", userId,
        idempotencyKey == null ? UUID.randomUUID().toString() : idempotencyKey).toString();
    return pool.preparedQuery("SELECT balance FROM accounts WHERE id = $1").execute(Tuple.of(Accounts.TREASURY))
        .compose(rows -> rows.iterator().next().getLong(0) < azr
            ? Problems.fail(Problems.of(409, "sold_out", "The treasury cannot sell that much AZR now"))
            : stripe.createIntent(cents, config.currency(), Map.of("azoraUserId", userId, "azrMinor", Long.toString(azr)),
                "Azora: " + Money.format(azr) + " AZR", stripeKey))
        .compose(intent -> pool.preparedQuery(INSERT)
            .execute(Tuple.of(intent.getId(), UUID.fromString(userId), azr, cents, config.currency()))
            .map(v -> new JsonObject().put("paymentIntentId", intent.getId()).put("clientSecret", intent.getClientSecret())
                .put("amountCents", cents).put("currency", config.currency()).put("azrAmount", Money.format(azr))
                .put("status", "created")));
  }

  /** The caller's own intent, as the webhook left it. */
  Future<JsonObject> intent(String userId, String intentId) {
    return pool.preparedQuery(FIND).execute(Tuple.of(intentId)).compose(rows -> {
      if (rows.size() == 0 || !rows.iterator().next().getUUID("user_id").toString().equals(userId)) {
        return Problems.fail(Problems.notFound("No such payment intent"));
      }
      Row row = rows.iterator().next();
      return Future.succeededFuture(new JsonObject().put("paymentIntentId", row.getString("id"))
          .put("status", row.getString("status")).put("azrAmount", Money.format(row.getLong("azr")))
          .put("amountCents", row.getLong("amount_cents")).put("currency", row.getString("currency"))
          .put("refundedCents", row.getLong("refunded_cents")).put("owed", Money.format(row.getLong("owed"))));
    });
  }

  /** A Stripe webhook delivery: 400 unless correctly signed; each event handled once. */
  Future<JsonObject> webhook(String payload, String signature) {
    JsonObject event;
    try {
      stripe.verify(payload, signature == null ? "" : signature);
      event = new JsonObject(payload);
    } catch (SignatureVerificationException | DecodeException e) {
      log.warn("Stripe webhook refused: {}", e.getMessage());
      return Problems.fail(Problems.of(400, "invalid_signature", "The Stripe-Signature does not match this payload"));
    }
    String id = event.getString("id");
    String type = event.getString("type", "");
    JsonObject object = event.getJsonObject("data", new JsonObject()).getJsonObject("object", new JsonObject());
    if (id == null) {
      return Problems.fail(Problems.invalid("id", "not a Stripe event"));
    }
    return pool.withTransaction(tx -> tx.preparedQuery(SEEN).execute(Tuple.of(id, type)).compose(seen -> {
          if (seen.size() == 0) {
            return Future.succeededFuture(false);  // delivered before
          }
          return switch (type) {
            case "payment_intent.succeeded" -> succeeded(tx, object.getString("id"), object);
            case "payment_intent.payment_failed" -> mark(tx, object.getString("id"), "payment_failed");
            case "payment_intent.canceled" -> mark(tx, object.getString("id"), "canceled");
            case "charge.refunded" -> refunded(tx, object.getString("payment_intent"), object.getLong("amount_refunded", 0L));
            default -> Future.succeededFuture(false);
          };
        }))
        .onSuccess(moved -> {
          if (moved) {
            OutboxRelay.nudge(vertx, FinanceServiceImpl.SOURCE);
          }
        })
        .map(moved -> new JsonObject().put("received", true));
  }

  private Future<Boolean> succeeded(SqlClient tx, String intentId, JsonObject intent) {
    return tx.preparedQuery(LOCK).execute(Tuple.of(intentId)).compose(rows -> {
      if (rows.size() == 0) {
        if (intent.getJsonObject("metadata", new JsonObject()).containsKey("azoraUserId")) {
          // Ours, but its row is not committed yet (Stripe was quicker): let Stripe deliver it again.
          return Problems.fail(Problems.of(503, "not_ready", "Payment intent " + intentId + " is not recorded yet"));
        }
        log.warn("Stripe says {} succeeded, but Azora did not create it; ignored", intentId);
        return Future.succeededFuture(false);
      }
      Row row = rows.iterator().next();
      long received = intent.getLong("amount_received", intent.getLong("amount", 0L));
      if (received < row.getLong("amount_cents") || !row.getString("currency").equalsIgnoreCase(intent.getString("currency", ""))) {
        log.error("Intent {} succeeded for {} {}, expected {} {}; not credited", intentId, received,
            intent.getString("currency"), row.getLong("amount_cents"), row.getString("currency"));
        return Future.succeededFuture(false);
      }
      if ("succeeded".equals(row.getString("status"))) {
        return Future.succeededFuture(false);
      }
      String userId = row.getUUID("user_id").toString();
      long azr = row.getLong("azr");
      UUID transferId = Ids.derive("purchase", intentId);
      DomainEvent completed = DomainEvent.create(FinanceServiceImpl.SOURCE, "payment.completed", new JsonObject()
          .put("paymentIntentId", intentId).put("userId", userId).put("azrAmount", Money.format(azr))
          .put("amountCents", row.getLong("amount_cents")).put("currency", row.getString("currency"))
          .put("transferId", transferId.toString()));
      return Ledger.openWallet(tx, userId)
          .compose(v -> Ledger.post(tx, List.of(Posting.posted(transferId, "purchase", Accounts.TREASURY,
              Accounts.wallet(userId), azr, "card purchase " + intentId)), userId, List.of(completed)))
          .compose(v -> tx.preparedQuery(STATUS).execute(Tuple.of(intentId, "succeeded")))
          .map(true);
    });
  }

  private Future<Boolean> mark(SqlClient tx, String intentId, String status) {
    // A late failure notice never undoes a success.
    return tx.preparedQuery(STATUS + " AND status <> 'succeeded'").execute(Tuple.of(intentId, status)).map(false);
  }

  /**
   * Takes back the AZR of the part refunded since the last notice: from the wallet as far as its
   * available balance goes; the rest is owed (clearing pays the treasury back and carries the debt).
   */
  private Future<Boolean> refunded(SqlClient tx, String intentId, long refundedCents) {
    return tx.preparedQuery(LOCK).execute(Tuple.of(intentId)).compose(rows -> {
      if (rows.size() == 0 || !"succeeded".equals(rows.iterator().next().getString("status"))) {
        return Future.succeededFuture(false);
      }
      Row row = rows.iterator().next();
      long cents = row.getLong("amount_cents");
      long azr = row.getLong("azr");
      long newlyRefunded = Math.min(refundedCents, cents) - row.getLong("refunded_cents");
      if (newlyRefunded <= 0) {
        return Future.succeededFuture(false);
      }
      // AZR due back for the whole refund so far, pro rata, minus what was already settled.
      long dueTotal = BigDecimal.valueOf(azr).multiply(BigDecimal.valueOf(Math.min(refundedCents, cents)))
          .divide(BigDecimal.valueOf(cents), 0, RoundingMode.DOWN).longValueExact();
      long due = dueTotal - row.getLong("taken_back") - row.getLong("owed");
      String userId = row.getUUID("user_id").toString();
      return tx.preparedQuery(AVAILABLE).execute(Tuple.of(Accounts.wallet(userId))).compose(available -> {
        long inWallet = Math.max(0, available.iterator().next().getLong(0));
        long takeBack = Math.min(due, inWallet);
        long owed = due - takeBack;
        List<Posting> batch = new ArrayList<>();
        String step = Long.toString(refundedCents);
        if (takeBack > 0) {
          batch.add(Posting.posted(Ids.derive("refund", intentId, step), "purchase", Accounts.wallet(userId),
              Accounts.TREASURY, takeBack, "card payment refunded " + intentId));
        }
        if (owed > 0) {
          batch.add(Posting.posted(Ids.derive("refund-owed", intentId, step), "purchase", Accounts.STRIPE_CLEARING,
              Accounts.TREASURY, owed, "refunded AZR owed by " + userId));
        }
        Future<?> moved = batch.isEmpty() ? Future.succeededFuture() : Ledger.post(tx, batch, null, null);
        return moved.compose(v -> tx.preparedQuery(REFUNDED).execute(Tuple.of(intentId, Math.min(refundedCents, cents),
                takeBack, owed)))
            .map(!batch.isEmpty());
      });
    });
  }
}
