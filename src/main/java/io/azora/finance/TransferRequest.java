package io.azora.finance;

import io.azora.platform.JsonData;
import io.vertx.codegen.annotations.DataObject;
import io.vertx.core.json.JsonObject;

/**
 * AZR to move from the caller's wallet to another user's: {@code amount} an exact decimal string (as
 * API.md's Numbers rule has it; finance refuses a fraction sent as a floating-point number), {@code memo}
 * a note both sides see.
 */
@DataObject
public final class TransferRequest extends JsonData {

  public TransferRequest(String toUserId, String amount, String memo) {
    this(new JsonObject().put("toUserId", toUserId).put("amount", amount).put("memo", memo));
  }

  public TransferRequest(JsonObject json) {
    super(json);
  }

  public String toUserId() { return json.getString("toUserId"); }
  /** As sent: finance parses it exactly (Money), refusing what is no exact decimal. */
  public Object amount() { return json.getValue("amount"); }
  public String memo() { return json.getString("memo", json.getString("reason")); }
}
