package io.azora.finance;

import io.azora.platform.JsonData;
import io.vertx.codegen.annotations.DataObject;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;

/** A contract's escrow: its ledger account, what it still holds, and each milestone's status. */
@DataObject
public final class EscrowState extends JsonData {

  /** A funded milestone: its amount and status, held, released, refunded or split. */
  public record Milestone(String milestoneId, String amount, String status) {
  }

  public EscrowState(String contractId, String accountId, String held, List<Milestone> milestones) {
    this(new JsonObject().put("contractId", contractId).put("accountId", accountId).put("held", held)
        .put("milestones", new JsonArray(milestones.stream().map(m -> new JsonObject().put("milestoneId", m.milestoneId())
            .put("amount", m.amount()).put("status", m.status())).toList())));
  }

  public EscrowState(JsonObject json) {
    super(json);
  }

  public String contractId() { return json.getString("contractId"); }
  public String accountId() { return json.getString("accountId"); }
  public String held() { return json.getString("held"); }

  public List<Milestone> milestones() {
    return json.getJsonArray("milestones", new JsonArray()).stream().map(JsonObject.class::cast)
        .map(m -> new Milestone(m.getString("milestoneId"), m.getString("amount"), m.getString("status"))).toList();
  }
}
