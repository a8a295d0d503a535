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
 * refunds and chargebacks (charge.refunded, charge.dispute.*) take the AZR back as far as the wallet
 * allows, recording the rest as owed (a dispute won gives it back).
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
  private static final String SETTLED = """
      UPDATE payment_intents SET refunded_cents = $2, disputed_cents = $3, taken_back = $4, owed = $5, updated_at = now()
      WHERE id = $1""";
  /**
   * Records a dispute's state. A dispute's outcome is final: an update delivered after it (Stripe does not
   * keep order, and retries) never reopens it.
   */
  private static final String RECORD_DISPUTE = """
      INSERT INTO stripe_disputes (id, payment_intent, amount_cents, status) VALUES ($1, $2, $3, $4)
      ON CONFLICT (id) DO UPDATE SET amount_cents = EXCLUDED.amount_cents, status = EXCLUDED.status, updated_at = now()
      WHERE stripe_disputes.status NOT IN ('won', 'lost', 'warning_closed')""";
  /**
   * Card money the bank has taken back: disputes open or lost. Inquiries (warning_*) withdraw nothing, and a
   * dispute won returns the money.
   */
  private static final String DISPUTED_CENTS = """
      SELECT coalesce(sum(amount_cents), 0)::bigint FROM stripe_disputes
      WHERE payment_intent = $1 AND status IN ('needs_response', 'under_review', 'lost')""";
  private static final String OWED_BY_USER = """
      SELECT user_id, sum(owed)::bigint AS owed, array_agg(id ORDER BY created_at) AS intents,
             array_agg(owed ORDER BY created_at) AS amounts
      FROM payment_intents WHERE owed > 0 AND ($1::uuid IS NULL OR user_id > $1)
      GROUP BY user_id ORDER BY user_id LIMIT $2""";
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
            case "charge.refunded" -> refunded(tx, id, object.getString("payment_intent"), object.getLong("amount_refunded", 0L));
            case "charge.dispute.created", "charge.dispute.updated", "charge.dispute.closed" -> disputed(tx, id, object);
            default -> Future.succeededFuture(false);
          };
        }))
        .onSuccess(moved -> {
          if (moved) {
            OutboxRelay.nudge(vertx, FinanceEvents.SOURCE);
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
      DomainEvent completed = DomainEvent.create(FinanceEvents.PAYMENT_COMPLETED, new JsonObject()
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

  /** charge.refunded: Stripe's cumulative refund of the intent's charge, then the AZR settled to match. */
  private Future<Boolean> refunded(SqlClient tx, String eventId, String intentId, long refundedCents) {
    // Stripe's figure only grows: a notice delivered late (a smaller figure) changes nothing.
    return lockSucceeded(tx, intentId).compose(row -> row == null ? Future.succeededFuture(false)
        : settle(tx, eventId, row, Math.max(row.getLong("refunded_cents"), Math.min(refundedCents, row.getLong("amount_cents"))),
            row.getLong("disputed_cents")));
  }

  /**
   * charge.dispute.created / .updated / .closed: the dispute's amount counts as reversed while it is open or
   * lost (the bank has taken the money), and stops counting when it is won (the money came back).
   */
  private Future<Boolean> disputed(SqlClient tx, String eventId, JsonObject dispute) {
    String intentId = dispute.getString("payment_intent");
    String status = dispute.getString("status", "needs_response");
    Long amount = dispute.getLong("amount");
    if (intentId == null || dispute.getString("id") == null || amount == null || amount < 0) {
      log.warn("Stripe dispute {} names no payment intent or amount; ignored", dispute.getString("id"));
      return Future.succeededFuture(false);
    }
    return lockSucceeded(tx, intentId).compose(row -> row == null ? Future.succeededFuture(false)
        : tx.preparedQuery(RECORD_DISPUTE).execute(Tuple.of(dispute.getString("id"), intentId, amount, status))
            .compose(v -> tx.preparedQuery(DISPUTED_CENTS).execute(Tuple.of(intentId)))
            .compose(rows -> settle(tx, eventId, row, row.getLong("refunded_cents"), rows.iterator().next().getLong(0))));
  }

  /** The intent locked, if Azora credited it (a reversal of anything else moves nothing); else null. */
  private static Future<Row> lockSucceeded(SqlClient tx, String intentId) {
    return tx.preparedQuery(LOCK).execute(Tuple.of(intentId)).map(rows -> rows.size() == 0
        || !"succeeded".equals(rows.iterator().next().getString("status")) ? null : rows.iterator().next());
  }

  /**
   * Moves the buyer's AZR to match the card money reversed so far (refunds plus open or lost disputes, at
   * most the charge): AZR due back = bought × reversed / paid, rounded down. More due than settled is taken
   * from the wallet as far as its available balance goes, the rest owed (clearing pays the treasury and
   * carries the debt); less (a dispute won) cancels what is owed first, then returns AZR to the wallet.
   * Transfer ids follow from the Stripe event, which is handled once.
   */
  private Future<Boolean> settle(SqlClient tx, String eventId, Row intent, long refundedCents, long disputedCents) {
    String intentId = intent.getString("id");
    long cents = intent.getLong("amount_cents");
    long reversed = Math.min(cents, refundedCents + disputedCents);
    long due = BigDecimal.valueOf(intent.getLong("azr")).multiply(BigDecimal.valueOf(reversed))
        .divide(BigDecimal.valueOf(cents), 0, RoundingMode.DOWN).longValueExact();
    long takenBack = intent.getLong("taken_back");
    long owed = intent.getLong("owed");
    long delta = due - takenBack - owed;
    String userId = intent.getUUID("user_id").toString();
    UUID wallet = Accounts.wallet(userId);
    Future<long[]> moves;  // {taken back now (negative: returned), newly owed (negative: forgiven)}
    if (delta > 0) {
      moves = tx.preparedQuery(AVAILABLE).execute(Tuple.of(wallet)).map(rows -> {
        long take = Math.min(delta, Math.max(0, rows.iterator().next().getLong(0)));
        return new long[] {take, delta - take};
      });
    } else {
      long forgive = Math.min(owed, -delta);
      moves = Future.succeededFuture(new long[] {-(-delta - forgive), -forgive});
    }
    return moves.compose(m -> {
      List<Posting> batch = new ArrayList<>();
      String why = disputedCents > 0 || intent.getLong("disputed_cents") > 0 ? "card payment disputed " : "card payment refunded ";
      if (m[0] > 0) {
        batch.add(Posting.posted(Ids.derive("reversal-take", eventId), "purchase", wallet, Accounts.TREASURY, m[0], why + intentId));
      } else if (m[0] < 0) {
        batch.add(Posting.posted(Ids.derive("reversal-return", eventId), "purchase", Accounts.TREASURY, wallet, -m[0],
            "dispute won " + intentId));
      }
      if (m[1] > 0) {
        batch.add(Posting.posted(Ids.derive("reversal-owed", eventId), "purchase", Accounts.STRIPE_CLEARING,
            Accounts.TREASURY, m[1], "AZR owed by " + userId + " after " + why + intentId));
      } else if (m[1] < 0) {
        batch.add(Posting.posted(Ids.derive("reversal-forgiven", eventId), "purchase", Accounts.TREASURY,
            Accounts.STRIPE_CLEARING, -m[1], "debt of " + userId + " cancelled: dispute won " + intentId));
      }
      Future<?> moved = batch.isEmpty() ? Future.succeededFuture() : Ledger.post(tx, batch, null, null);
      return moved.compose(v -> tx.preparedQuery(SETTLED).execute(Tuple.of(intentId, refundedCents, disputedCents,
              takenBack + m[0], owed + m[1])))
          .map(!batch.isEmpty());
    });
  }

  /** The owed-balances report (admin): who owes AZR after refunds and chargebacks, by user, and the total. */
  Future<JsonObject> owed(int limit, String cursor) {
    UUID after;
    try {
      after = cursor == null ? null : UUID.fromString(new String(java.util.Base64.getUrlDecoder().decode(cursor),
          java.nio.charset.StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      return Problems.fail(Problems.invalid("cursor", "is not a cursor this server gave"));
    }
    return Future.all(pool.preparedQuery(OWED_BY_USER).execute(Tuple.of(after, limit)),
            pool.query("SELECT coalesce(sum(owed), 0)::bigint, count(DISTINCT user_id) FROM payment_intents WHERE owed > 0").execute())
        .map(all -> {
          io.vertx.core.json.JsonArray items = new io.vertx.core.json.JsonArray();
          UUID last = null;
          for (Row r : all.<io.vertx.sqlclient.RowSet<Row>>resultAt(0)) {
            last = r.getUUID("user_id");
            io.vertx.core.json.JsonArray payments = new io.vertx.core.json.JsonArray();
            String[] ids = r.getArrayOfStrings("intents");
            Long[] amounts = r.getArrayOfLongs("amounts");
            for (int i = 0; i < ids.length; i++) {
              payments.add(new JsonObject().put("paymentIntentId", ids[i]).put("owed", Money.format(amounts[i])));
            }
            items.add(new JsonObject().put("userId", last.toString()).put("owed", Money.format(r.getLong("owed")))
                .put("payments", payments));
          }
          Row totals = all.<io.vertx.sqlclient.RowSet<Row>>resultAt(1).iterator().next();
          String next = items.size() == limit && last != null ? java.util.Base64.getUrlEncoder().withoutPadding()
              .encodeToString(last.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)) : null;
          return new JsonObject().put("items", items).put("nextCursor", next)
              .put("total", Money.format(totals.getLong(0))).put("users", totals.getLong(1));
        });
  }
}
