package io.azora.finance;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Cursor;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.UUID;

/**
 * Checks the whole ledger from one consistent snapshot, independently of the database function that
 * wrote it: every entry's totals follow from its transfer, every account's chain of hashes is intact
 * and ends where the account says, every transfer has its two entries, and all accounts sum to zero.
 * The answer's {@code head} digests every account's chain head, so two verifications agree only if
 * nothing changed in between.
 */
final class LedgerVerifier {

  private static final int BATCH = 2000;
  private static final int MAX_PROBLEMS = 20;
  private static final String ENTRIES = """
      SELECT e.account_id, e.seq, e.balance, e.held, e.incoming, e.hash,
             t.id, t.type, t.phase, t.debit_account, t.credit_account, t.amount, t.pending_id, p.amount AS pending_amount,
             a.balance AS account_balance, a.held AS account_held, a.incoming AS account_incoming,
             a.entries AS account_entries, a.head AS account_head
      FROM entries e
      JOIN transfers t ON t.id = e.transfer_id
      JOIN accounts a ON a.id = e.account_id
      LEFT JOIN transfers p ON p.id = t.pending_id
      ORDER BY e.account_id, e.seq""";
  private static final String TOTALS = """
      SELECT coalesce(sum(balance), 0) AS balance, coalesce(sum(held), 0) AS held,
             coalesce(sum(incoming), 0) AS incoming, count(*) AS accounts,
             (SELECT count(*) FROM transfers) AS transfers,
             count(*) FILTER (WHERE entries > 0) AS chains,
             coalesce(sum(entries), 0) AS entries
      FROM accounts""";
  private static final String HEADS = "SELECT id, entries, head FROM accounts WHERE entries > 0 ORDER BY id";

  private final Pool pool;
  private final io.micrometer.core.instrument.Counter failures;

  LedgerVerifier(Pool pool, io.micrometer.core.instrument.MeterRegistry registry) {
    this.pool = pool;
    this.failures = io.micrometer.core.instrument.Counter.builder("azora.ledger.verify.failures")
        .description("Ledger verifications that found a problem (an alert: money is wrong)").register(registry);
  }

  Future<JsonObject> verify() {
    return check().onSuccess(report -> {
      if (!report.getBoolean("ok", false)) {
        failures.increment();
      }
    });
  }

  private Future<JsonObject> check() {
    return pool.withTransaction(conn -> conn.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY").execute()
        .compose(v -> conn.query(TOTALS).execute())
        .compose(totals -> {
          Check check = new Check();
          Row t = totals.iterator().next();
          if (t.getLong("balance") != 0) {
            check.problem("accounts sum to " + t.getLong("balance") + ", not 0");
          }
          if (!t.getLong("held").equals(t.getLong("incoming"))) {
            check.problem("pending debits " + t.getLong("held") + " differ from pending credits " + t.getLong("incoming"));
          }
          check.transfers = t.getLong("transfers");
          check.chains = t.getLong("chains");
          return conn.prepare(ENTRIES).compose(statement -> walk(statement.cursor(), check))
              .compose(v -> conn.query(HEADS).execute())
              .map(heads -> check.report(heads));
        }));
  }

  private Future<Void> walk(Cursor cursor, Check check) {
    return cursor.read(BATCH).compose(rows -> {
      check.entries(rows);
      return cursor.hasMore() ? walk(cursor, check) : check.finish().eventually(cursor::close);
    });
  }

  /** The running state of one verification. */
  private static final class Check {
    final JsonArray problems = new JsonArray();
    long transfers;
    long chains;
    long chainsSeen;
    long entries;
    UUID account;
    long seq;
    long balance;
    long held;
    long incoming;
    byte[] head;
    Row last;

    void problem(String text) {
      if (problems.size() < MAX_PROBLEMS) {
        problems.add(text);
      }
    }

    void entries(RowSet<Row> rows) {
      for (Row row : rows) {
        UUID id = row.getUUID("account_id");
        if (!id.equals(account)) {
          closeAccount();
          account = id;
          seq = 0;
          balance = held = incoming = 0;
          head = null;
        }
        entry(row);
        last = row;
      }
    }

    Future<Void> finish() {
      closeAccount();
      // Each transfer has exactly two entries: entries are unique per (transfer, account) and belong to
      // the transfer's two accounts, so the count settles it.
      if (entries != 2 * transfers) {
        problem(entries + " entries for " + transfers + " transfers (2 each expected)");
      }
      if (chainsSeen != chains) {
        problem(chains + " accounts have entries, " + chainsSeen + " chains were found");
      }
      return Future.succeededFuture();
    }

    private void entry(Row row) {
      entries++;
      seq++;
      long s = row.getLong("seq");
      if (s != seq) {
        problem("account " + account + ": entry " + s + " where " + seq + " was expected");
        seq = s;
      }
      UUID debit = row.getUUID("debit_account");
      UUID credit = row.getUUID("credit_account");
      boolean isDebit = account.equals(debit);
      if (!isDebit && !account.equals(credit)) {
        problem("account " + account + ": entry " + s + " belongs to a transfer of other accounts");
      }
      String phase = row.getString("phase");
      long amount = row.getLong("amount");
      Long pendingAmount = row.getLong("pending_amount");
      long reserved = pendingAmount == null ? 0 : pendingAmount;
      switch (phase) {
        case "posted" -> balance += isDebit ? -amount : amount;
        case "pending" -> {
          if (isDebit) {
            held += amount;
          } else {
            incoming += amount;
          }
        }
        case "post_pending" -> {
          balance += isDebit ? -amount : amount;
          if (isDebit) {
            held -= reserved;
          } else {
            incoming -= reserved;
          }
        }
        case "void_pending" -> {
          if (isDebit) {
            held -= reserved;
          } else {
            incoming -= reserved;
          }
        }
        default -> problem("transfer " + row.getUUID("id") + " has unknown phase " + phase);
      }
      if (balance != row.getLong("balance") || held != row.getLong("held") || incoming != row.getLong("incoming")) {
        problem("account " + account + ": entry " + s + " totals do not follow from its transfers");
        balance = row.getLong("balance");
        held = row.getLong("held");
        incoming = row.getLong("incoming");
      }
      byte[] expected = hash(account, s, row, head);
      byte[] stored = row.getBuffer("hash").getBytes();
      if (!MessageDigest.isEqual(expected, stored)) {
        problem("account " + account + ": entry " + s + " hash does not match (chain broken or entry altered)");
      }
      head = stored;
    }

    private void closeAccount() {
      if (account == null) {
        return;
      }
      chainsSeen++;
      if (last.getLong("account_entries") != seq || last.getLong("account_balance") != balance
          || last.getLong("account_held") != held || last.getLong("account_incoming") != incoming) {
        problem("account " + account + ": its totals differ from the sum of its entries");
      }
      byte[] accountHead = last.getBuffer("account_head") == null ? null : last.getBuffer("account_head").getBytes();
      if (accountHead == null || !MessageDigest.isEqual(accountHead, head)) {
        problem("account " + account + ": its head is not its last entry's hash");
      }
    }

    JsonObject report(RowSet<Row> heads) {
      MessageDigest digest = sha256();
      for (Row row : heads) {
        digest.update((row.getUUID("id") + ":" + row.getLong("entries") + ":"
            + HexFormat.of().formatHex(row.getBuffer("head").getBytes()) + "\n").getBytes(StandardCharsets.UTF_8));
      }
      return new JsonObject().put("ok", problems.isEmpty()).put("entries", entries).put("transfers", transfers)
          .put("head", HexFormat.of().formatHex(digest.digest())).put("problems", problems);
    }
  }

  /** The same text post_transfer_groups() hashes (db/finance/R__ledger_functions.sql). */
  static byte[] hash(UUID account, long seq, Row t, byte[] previous) {
    UUID pending = t.getUUID("pending_id");
    String text = account + "|" + seq + "|" + t.getUUID("id") + "|" + t.getString("type") + "|" + t.getString("phase")
        + "|" + t.getUUID("debit_account") + "|" + t.getUUID("credit_account") + "|" + t.getLong("amount")
        + "|" + (pending == null ? "" : pending.toString()) + "|" + t.getLong("balance") + "|" + t.getLong("held")
        + "|" + t.getLong("incoming") + "|" + (previous == null ? "" : HexFormat.of().formatHex(previous));
    return sha256().digest(text.getBytes(StandardCharsets.UTF_8));
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
