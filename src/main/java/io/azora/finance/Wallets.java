package io.azora.finance;

import io.azora.auth.IdentityService;
import io.azora.platform.DomainEvent;
import io.azora.platform.Ids;
import io.azora.platform.Money;
import io.azora.platform.OutboxRelay;
import io.azora.platform.Page;
import io.azora.platform.Problems;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.serviceproxy.ServiceException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;

/** Users' wallets: balances, history, and transfers between users. */
final class Wallets {

  static final Set<String> HISTORY_TYPES = Set.of("reward", "transfer", "purchase", "escrow", "stake", "fee");
  private static final String BALANCES = """
      SELECT w.balance, w.held, coalesce(s.balance, 0) AS staked,
             (SELECT coalesce(sum(tokens), 0) FROM mining_rewards WHERE user_id = w.owner_id)::bigint
               + (SELECT coalesce(sum(reward), 0) FROM stakes WHERE user_id = w.owner_id)::bigint AS earned
      FROM accounts w LEFT JOIN accounts s ON s.id = $2 WHERE w.id = $1""";
  // One row per entry on the wallet, newest first; voids are left out (nothing moved), the hold they
  // ended shows as voided.
  private static final String HISTORY = """
      SELECT e.seq, t.id, t.type, t.phase, t.amount, t.debit_account, t.reason, t.created_at,
             o.kind AS other_kind, o.code AS other_code, o.owner_id AS other_owner, r.phase AS resolution
      FROM entries e
      JOIN transfers t ON t.id = e.transfer_id
      JOIN accounts o ON o.id = CASE WHEN t.debit_account = e.account_id THEN t.credit_account ELSE t.debit_account END
      LEFT JOIN transfers r ON r.pending_id = t.id
      WHERE e.account_id = $1 AND t.phase <> 'void_pending' AND ($2::text IS NULL OR t.type = $2)
        AND ($3::bigint IS NULL OR e.seq < $3)
      ORDER BY e.seq DESC LIMIT $4""";

  private final Vertx vertx;
  private final Pool pool;
  /** Auth, called within what the request has left (see {@link io.azora.platform.Deadline}). */
  private final Supplier<IdentityService> auth;
  private final LedgerBatcher batcher;

  Wallets(Vertx vertx, Pool pool, Supplier<IdentityService> auth, LedgerBatcher batcher) {
    this.vertx = vertx;
    this.pool = pool;
    this.auth = auth;
    this.batcher = batcher;
  }

  Future<JsonObject> balance(String userId) {
    UUID wallet = Accounts.wallet(userId);
    Tuple params = Tuple.of(wallet, Accounts.stake(userId));
    // A wallet opens on user.registered; a user seen before that event gets it here.
    return pool.preparedQuery(BALANCES).execute(params)
        .compose(rows -> rows.size() > 0 ? Future.succeededFuture(rows) : Ledger.openWallet(pool, userId)
            .compose(v -> pool.preparedQuery(BALANCES).execute(params)))
        .map(rows -> {
          Row row = rows.iterator().next();
          long balance = row.getLong("balance");
          long held = row.getLong("held");
          return new JsonObject().put("id", wallet.toString()).put("userId", userId)
              .put("balance", Money.format(balance)).put("available", Money.format(balance - held))
              .put("held", Money.format(held)).put("staked", Money.format(row.getLong("staked")))
              .put("earned", Money.format(row.getLong("earned"))).put("currency", "AZR");
        });
  }

  Future<JsonObject> transactions(String userId, String type, int limit, String cursor) {
    if (type != null && !HISTORY_TYPES.contains(type)) {
      return Problems.fail(Problems.invalid("type", "must be one of " + HISTORY_TYPES));
    }
    Long before;
    try {
      before = cursor == null ? null : Long.parseLong(new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      return Problems.fail(Problems.invalid("cursor", "is not a cursor this server gave"));
    }
    UUID wallet = Accounts.wallet(userId);
    // One row more than the page: whether another page follows, without an empty last one.
    return pool.preparedQuery(HISTORY).execute(Tuple.of(wallet, type, before, limit + 1)).map(rows -> Page.of(rows, limit,
        row -> item(row, wallet),
        row -> Base64.getUrlEncoder().withoutPadding().encodeToString(Long.toString(row.getLong("seq")).getBytes(StandardCharsets.UTF_8))));
  }

  private static JsonObject item(Row row, UUID wallet) {
    String phase = row.getString("phase");
    String status = switch (phase) {
      case "pending" -> row.getString("resolution") == null ? "pending"
          : "post_pending".equals(row.getString("resolution")) ? "settled" : "voided";
      default -> "completed";
    };
    JsonObject item = new JsonObject().put("id", row.getUUID("id").toString()).put("type", row.getString("type"))
        .put("amount", Money.format(row.getLong("amount")))
        .put("direction", wallet.equals(row.getUUID("debit_account")) ? "debit" : "credit")
        .put("reason", row.getString("reason")).put("status", status)
        .put("createdAt", row.getOffsetDateTime("created_at").toInstant().toString());
    String counterparty = switch (row.getString("other_kind")) {
      case "wallet", "escrow" -> row.getUUID("other_owner").toString();
      case "stake" -> "staking";
      default -> row.getString("other_code");
    };
    return item.put("counterparty", counterparty);
  }

  /**
   * Moves AZR between two users' wallets. With an idempotency key the transfer's id follows from
   * (sender, key): a retry finds the first transfer instead of making a second.
   */
  Future<JsonObject> transfer(String userId, TransferRequest request, String idempotencyKey) {
    String to = Ids.canonicalIfUuid(request.toUserId());
    if (userId.equals(to)) {
      return Problems.fail(Problems.invalid("toUserId", "cannot transfer to yourself"));
    }
    return send(userId, Accounts.wallet(userId), to, request.amount(), request.memo(), "transfer", idempotencyKey);
  }

  /** An operator's grant from the treasury to a user (support credit, airdrop), keyed like a transfer. */
  Future<JsonObject> grant(String adminId, String userId, JsonObject request, String idempotencyKey) {
    return send(adminId, Accounts.TREASURY, userId, request.getValue("amount"), request.getString("reason"), "grant",
        idempotencyKey);
  }

  private Future<JsonObject> send(String initiator, UUID from, String recipient, Object amountValue, String reason,
                                  String kind, String idempotencyKey) {
    long amount;
    // Canonical, or a recipient written in capitals would be paid into a wallet of its own, seen by nobody.
    String to = Ids.canonical(recipient);
    try {
      amount = Money.parsePositive(amountValue, "amount");
    } catch (ServiceException e) {
      return Future.failedFuture(e);
    }
    if (to == null) {
      return Problems.fail(Problems.invalid("toUserId", "must be a user id"));
    }
    UUID id = idempotencyKey == null ? UUID.randomUUID() : Ids.derive(kind, initiator, idempotencyKey);
    Posting posting = Posting.posted(id, "transfer", from, Accounts.wallet(to), amount, reason);
    DomainEvent event = DomainEvent.create(FinanceEvents.TRANSFER_COMPLETED, new JsonObject()
        .put("transferId", id.toString()).put("fromUserId", from.equals(Accounts.TREASURY) ? null : initiator)
        .put("toUserId", to).put("amount", Money.format(amount)).put("reason", reason));
    return post(initiator, to, posting, event, true)
        .map(posted -> new JsonObject().put("id", id.toString()).put("type", "transfer")
            .put("amount", Money.format(amount)).put("direction", "debit").put("reason", reason)
            .put("status", "completed").put("counterparty", to)
            .put("createdAt", posted.createdAt().toInstant().toString()));
  }

  /** Posts a transfer to {@code to}'s wallet, opening it first if its user.registered has not arrived yet. */
  private Future<Ledger.Posted> post(String initiator, String to, Posting posting, DomainEvent event, boolean retry) {
    return batcher.post(List.of(posting), initiator, List.of(event))
        .map(posted -> {
          if (posted.get(0).created()) {
            OutboxRelay.nudge(vertx, FinanceEvents.SOURCE);
          }
          return posted.get(0);
        })
        .recover(err -> {
          if (retry && err instanceof Ledger.Refusal r && r.reason == LedgerRefusal.UNKNOWN_ACCOUNT_OR_HOLD) {
            if (r.concerns(Accounts.wallet(to))) {
              return ensureUser(to).compose(v -> Ledger.openWallet(pool, to))
                  .compose(v -> post(initiator, to, posting, event, false));
            }
            if (r.concerns(Accounts.wallet(initiator))) {
              return Ledger.openWallet(pool, initiator).compose(v -> post(initiator, to, posting, event, false));
            }
          }
          return Future.failedFuture(Ledger.problem(err));
        });
  }

  /** 404 unless auth knows the user: money never goes to a wallet nobody can open. */
  private Future<Void> ensureUser(String userId) {
    return auth.get().profile(userId).<Void>mapEmpty().recover(err -> err instanceof ServiceException se && se.failureCode() == 404
        ? Problems.fail(Problems.notFound("No user " + userId))
        : Future.failedFuture(err));
  }
}
