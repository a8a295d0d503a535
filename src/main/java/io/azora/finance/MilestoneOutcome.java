package io.azora.finance;

import io.azora.platform.JsonData;
import io.vertx.codegen.annotations.DataObject;
import io.vertx.core.json.JsonObject;

/**
 * A settled milestone: released (the freelancer got {@code net}, the amount less the platform {@code fee})
 * or refunded (fee and net absent).
 */
@DataObject
public final class MilestoneOutcome extends JsonData {

  public MilestoneOutcome(String contractId, String milestoneId, String amount, String fee, String net, String status) {
    this(new JsonObject().put("contractId", contractId).put("milestoneId", milestoneId).put("amount", amount)
        .put("status", status));
    if (fee != null) {
      json.put("fee", fee).put("net", net);
    }
  }

  public MilestoneOutcome(JsonObject json) {
    super(json);
  }

  public String contractId() { return json.getString("contractId"); }
  public String milestoneId() { return json.getString("milestoneId"); }
  public String amount() { return json.getString("amount"); }
  public String fee() { return json.getString("fee"); }
  public String net() { return json.getString("net"); }
  public String status() { return json.getString("status"); }
}
