package io.azora.finance;

import io.azora.platform.Deadline;
import io.azora.platform.DomainEvent;
import io.azora.platform.Problems;
import io.azora.platform.RequestContext;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * The only way money moves: groups of {@link Posting}s through the database's post_transfer_groups(), which
 * locks, checks, appends to the hash chains and writes the group's events in one statement. A group is
 * all-or-nothing and idempotent by its transfer ids. (Hot paths batch many groups: {@link LedgerBatcher}.)
 */
final class Ledger {

  /** $1 the lock timeout in milliseconds (0: none), then post_transfer_groups' parameters. */
  static final String POST_GROUPS = """
      SELECT group_no, transfer_id, outcome, created_at, message, detail
      FROM post_transfer_groups_within($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)""";
  private static final String OPEN = """
      INSERT INTO accounts (id, kind, code, owner_id, min_balance) VALUES ($1, $2, $3, $4, $5)
      ON CONFLICT DO NOTHING""";

  /** What post_transfer_groups said about one transfer: new, or the earlier one with the same id. */
  record Posted(UUID id, boolean created, OffsetDateTime createdAt) {
  }

  /** A refusal by the ledger: its {@code reason}, and {@code subject}, the id concerned (or null). */
  static final class Refusal extends RuntimeException {
    final LedgerRefusal reason;
    final String subject;

    Refusal(LedgerRefusal reason, String subject, String message) {
      super(message, null, false, false);
      this.reason = reason;
      this.subject = subject;
    }

    boolean concerns(UUID account) {
      return account.toString().equals(subject);
    }
  }

  /** SQLSTATE lock_not_available: a lock wait reached the request's deadline (see {@link #lockTimeoutMs}). */
  static final String LOCK_TIMEOUT = "55P03";

  private Ledger() {
  }

  /** One all-or-nothing group of postings, who asked for it, and the events it emits if new. */
  record Group(List<Posting> postings, String initiator, List<DomainEvent> events) {
  }

  /** Posts one group with {@code client} (a pool, or the caller's transaction, which a refusal rolls back). */
  static Future<List<Posted>> post(SqlClient client, List<Posting> batch, String initiator, List<DomainEvent> events) {
    return post(client, batch, initiator, events, RequestContext.deadline());
  }

  /** {@link #post} for a request due at {@code deadline} (epoch ms, or null): lock waits end before it. */
  static Future<List<Posted>> post(SqlClient client, List<Posting> batch, String initiator, List<DomainEvent> events,
                                   Long deadline) {
    List<Group> groups = List.of(new Group(batch, initiator, events));
    return client.preparedQuery(POST_GROUPS).execute(groupParams(groups, lockTimeoutMs(deadline)))
        .recover(err -> Future.failedFuture(refusal(err)))
        .compose(rows -> outcomes(groups, rows).get(0));
  }

  /**
   * Posts several groups in one statement in the caller's transaction, all of which must post: the first
   * refusal fails the whole (and so rolls back the caller's transaction). Mining's batches use it.
   */
  static Future<Void> postAll(SqlClient tx, List<Group> groups) {
    if (groups.isEmpty()) {
      return Future.succeededFuture();
    }
    return tx.preparedQuery(POST_GROUPS).execute(groupParams(groups, 0))
        .recover(err -> Future.failedFuture(refusal(err)))
        .compose(rows -> Future.all(outcomes(groups, rows)))
        .mapEmpty();
  }

  /**
   * How long a posting for a request due at {@code deadline} (epoch ms; null: none) may wait for account
   * locks: until shortly before the deadline, so a refusal reaches the caller in time; 0 for no limit.
   */
  static int lockTimeoutMs(Long deadline) {
    if (deadline == null) {
      return 0;
    }
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, deadline - System.currentTimeMillis() - Deadline.HOP_MARGIN_MS));
  }

  /** post_transfer_groups_within's parameters for {@code groups} (numbered from 1, in order). */
  static Tuple groupParams(List<Group> groups, int lockTimeoutMs) {
    int n = 0;
    for (Group g : groups) {
      n += g.postings().size();
    }
    Integer[] numbers = new Integer[n];
    UUID[] ids = new UUID[n];
    String[] types = new String[n];
    String[] phases = new String[n];
    UUID[] debits = new UUID[n];
    UUID[] credits = new UUID[n];
    Long[] amounts = new Long[n];
    UUID[] pendings = new UUID[n];
    String[] reasons = new String[n];
    UUID[] initiators = new UUID[n];
    JsonArray events = new JsonArray();
    int i = 0;
    for (int g = 0; g < groups.size(); g++) {
      Group group = groups.get(g);
      UUID initiator = group.initiator() == null ? null : UUID.fromString(group.initiator());
      for (Posting p : group.postings()) {
        numbers[i] = g + 1;
        ids[i] = p.id();
        types[i] = p.type();
        phases[i] = p.phase();
        debits[i] = p.debit();
        credits[i] = p.credit();
        amounts[i] = p.amount();
        pendings[i] = p.pendingId();
        reasons[i] = p.reason();
        initiators[i] = initiator;
        i++;
      }
      JsonArray envelopes = new JsonArray();
      if (group.events() != null) {
        group.events().forEach(e -> envelopes.add(e.toJson()));
      }
      events.add(envelopes);
    }
    return Tuple.tuple().addInteger(lockTimeoutMs).addArrayOfInteger(numbers).addArrayOfUUID(ids).addArrayOfString(types).addArrayOfString(phases)
        .addArrayOfUUID(debits).addArrayOfUUID(credits).addArrayOfLong(amounts).addArrayOfUUID(pendings)
        .addArrayOfString(reasons).addArrayOfUUID(initiators).addValue(events);
  }

  /** Each group's outcome from post_transfer_groups' rows: its transfers, or its {@link Refusal}. */
  static List<Future<List<Posted>>> outcomes(List<Group> groups, Iterable<Row> rows) {
    List<List<Posted>> posted = new ArrayList<>(groups.size());
    Refusal[] refusals = new Refusal[groups.size()];
    for (int g = 0; g < groups.size(); g++) {
      posted.add(new ArrayList<>());
    }
    for (Row row : rows) {
      int g = row.getInteger("group_no") - 1;
      String outcome = row.getString("outcome");
      if ("created".equals(outcome) || "exists".equals(outcome)) {
        posted.get(g).add(new Posted(row.getUUID("transfer_id"), "created".equals(outcome), row.getOffsetDateTime("created_at")));
      } else {
        refusals[g] = new Refusal(Objects.requireNonNullElse(LedgerRefusal.of(outcome), LedgerRefusal.INVALID), row.getString("detail"), row.getString("message"));
      }
    }
    List<Future<List<Posted>>> out = new ArrayList<>(groups.size());
    for (int g = 0; g < groups.size(); g++) {
      out.add(refusals[g] != null ? Future.failedFuture(refusals[g]) : Future.succeededFuture(posted.get(g)));
    }
    return out;
  }

  /** Opens an account if it does not exist yet (idempotent). */
  static Future<Void> open(SqlClient client, UUID id, String kind, String code, String ownerId, Long minBalance) {
    return client.preparedQuery(OPEN)
        .execute(Tuple.of(id, kind, code, ownerId == null ? null : UUID.fromString(ownerId), minBalance))
        .mapEmpty();
  }

  static Future<Void> openWallet(SqlClient client, String userId) {
    return open(client, Accounts.wallet(userId), "wallet", null, userId, 0L);
  }

  static Throwable refusal(Throwable err) {
    if (err instanceof PgException pg) {
      String state = pg.getSqlState();
      if (LOCK_TIMEOUT.equals(state)) {
        // The accounts stayed busy until the caller's deadline: nothing moved; the caller may try again.
        return Problems.of(503, "busy", "The accounts involved are busy; nothing was moved, try again");
      }
      LedgerRefusal reason = LedgerRefusal.of(state);
      if (reason != null) {
        return new Refusal(reason, pg.getDetail(), pg.getErrorMessage());
      }
      if ("23505".equals(state) && "transfers_pkey".equals(pg.getConstraint())) {
        // A twin batch with the same ids but other accounts committed first.
        return new Refusal(LedgerRefusal.IDS_REUSED, null, "transfer ids already used for different transfers");
      }
    }
    return err;
  }

  /** The contract's problem for a ledger refusal; other failures pass through (a 5xx at the gateway). */
  static Throwable problem(Throwable err) {
    return err instanceof Refusal r ? r.reason.problem(r.getMessage()) : err;
  }
}
