package io.azora.finance;

import io.azora.support.HttpApi;
import io.azora.support.NodeExtension;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Tamper evidence: rows changed behind the ledger's back (by someone with database access who disables
 * the immutability triggers) make /ledger/verify fail and say where; put back, it passes again.
 */
@ExtendWith(VertxExtension.class)
class LedgerTamperTest {

  @RegisterExtension
  static final NodeExtension node = NodeExtension.with(new JsonObject().put("auth", new JsonObject()
      .put("adminEmail", WalletTest.ADMIN_EMAIL).put("adminPassword", WalletTest.ADMIN_PASSWORD)));

  @Test
  void alteredRowsAreFoundAndImmutabilityHolds(HttpApi api, Vertx vertx) throws Exception {
    String admin = api.login(WalletTest.ADMIN_EMAIL, WalletTest.ADMIN_PASSWORD).getString("accessToken");
    JsonObject alice = WalletTest.newUser(api);
    JsonObject bob = WalletTest.newUser(api);
    WalletTest.grant(api, admin, alice.getString("id"), "40");
    String transferId = WalletTest.transfer(api, alice, bob.getString("id"), "15", null).expect(201).json().getString("id");
    assertEquals(Boolean.TRUE, verify(api, admin).getBoolean("ok"));

    Pool db = node.node().database(vertx, "finance");
    // Immutable: the database itself refuses edits and deletions of transfers and entries.
    // (Each refusal is the ledger's own rule, by its error code: not just any database error.)
    PgException refused = assertThrows(PgException.class, () -> sql(db, "UPDATE transfers SET amount = 1 WHERE id = '" + transferId + "'"));
    assertEquals("AZ500", refused.getSqlState());
    assertTrue(refused.getErrorMessage().contains("immutable (UPDATE on transfers)"), refused.getErrorMessage());
    PgException deleted = assertThrows(PgException.class, () -> sql(db, "DELETE FROM entries"));
    assertEquals("AZ500", deleted.getSqlState());
    assertTrue(deleted.getErrorMessage().contains("immutable (DELETE on entries)"), deleted.getErrorMessage());
    PgException truncated = assertThrows(PgException.class, () -> sql(db, "TRUNCATE transfers CASCADE"));
    assertEquals("AZ500", truncated.getSqlState());
    // No wallet below zero, even written directly: the overdraft constraint says no.
    PgException overdrawn = assertThrows(PgException.class, () -> sql(db, "UPDATE accounts SET balance = -1 WHERE kind = 'wallet'"));
    assertEquals("23514", overdrawn.getSqlState());
    assertEquals("accounts_no_overdraft", overdrawn.getConstraint());

    sql(db, "ALTER TABLE transfers DISABLE TRIGGER transfers_immutable");
    sql(db, "ALTER TABLE entries DISABLE TRIGGER entries_immutable");

    // A transfer's amount changed: its entries' hashes no longer match.
    sql(db, "UPDATE transfers SET amount = 1500000000 + 1 WHERE id = '" + transferId + "'");
    assertBroken(api, admin, "hash does not match");
    sql(db, "UPDATE transfers SET amount = 1500000000 WHERE id = '" + transferId + "'");
    assertEquals(Boolean.TRUE, verify(api, admin).getBoolean("ok"));

    // Money appears in one wallet without a transfer: totals and the zero sum both break.
    sql(db, "UPDATE accounts SET balance = balance + 100 WHERE owner_id = '" + bob.getString("id") + "'");
    JsonObject report = assertBroken(api, admin, "sum to 100");
    assertTrue(report.getJsonArray("problems").encode().contains("totals differ"), report::encodePrettily);
    sql(db, "UPDATE accounts SET balance = balance - 100 WHERE owner_id = '" + bob.getString("id") + "'");

    // An entry removed from a chain.
    sql(db, "CREATE TABLE removed AS SELECT * FROM entries WHERE transfer_id = '" + transferId + "'");
    sql(db, "DELETE FROM entries WHERE transfer_id = '" + transferId + "'");
    assertBroken(api, admin, "entries for");
    sql(db, "INSERT INTO entries SELECT * FROM removed");
    assertEquals(Boolean.TRUE, verify(api, admin).getBoolean("ok"), "restored");
    db.close();
  }

  static JsonObject verify(HttpApi api, String admin) {
    return api.get("/api/ledger/verify", admin).expect(200).json();
  }

  static JsonObject assertBroken(HttpApi api, String admin, String problem) {
    JsonObject report = verify(api, admin);
    assertEquals(Boolean.FALSE, report.getBoolean("ok"));
    assertTrue(report.getJsonArray("problems").encode().contains(problem), report::encodePrettily);
    return report;
  }

  static void sql(Pool db, String statement) throws Exception {
    db.query(statement).execute().await(10, TimeUnit.SECONDS);
  }
}
