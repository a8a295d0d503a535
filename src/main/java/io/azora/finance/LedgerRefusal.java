package io.azora.finance;

import io.azora.platform.Problems;
import io.vertx.serviceproxy.ServiceException;

import java.util.Arrays;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Why the ledger refused a group of transfers: the SQLSTATEs its functions raise or report
 * (db/finance/R__ledger_functions.sql), each mapped here, once, to the problem a client sees.
 */
enum LedgerRefusal {

  INSUFFICIENT_FUNDS("AZ402", 402, "insufficient_funds", "Not enough available AZR for this"),
  UNKNOWN_ACCOUNT_OR_HOLD("AZ404", 404, "not_found", "No such account or hold"),
  IDS_REUSED("AZ409", 409, "idempotency_conflict", "This idempotency key was used for a different request"),
  ALREADY_RESOLVED("AZ410", 409, "conflict", "This hold has already been settled"),
  /** Its detail is the ledger's own words (what was invalid). */
  INVALID("AZ422", 422, "unprocessable", null);

  final String sqlState;
  private final int status;
  private final String code;
  private final String detail;

  LedgerRefusal(String sqlState, int status, String code, String detail) {
    this.sqlState = sqlState;
    this.status = status;
    this.code = code;
    this.detail = detail;
  }

  /** The refusal of {@code sqlState}, or null when it is none of the ledger's. */
  static LedgerRefusal of(String sqlState) {
    return BY_SQL_STATE.get(sqlState);
  }

  private static final Map<String, LedgerRefusal> BY_SQL_STATE =
      Arrays.stream(values()).collect(Collectors.toMap(r -> r.sqlState, r -> r));

  /** The contract's problem for this refusal; {@code message} is the ledger's own words. */
  ServiceException problem(String message) {
    return Problems.of(status, code, detail == null ? message : detail);
  }
}
