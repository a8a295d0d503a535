package io.azora.finance;

import io.azora.platform.JsonData;
import io.vertx.codegen.annotations.DataObject;
import io.vertx.core.json.JsonObject;

/** A funded milestone to settle: released to {@code freelancerId}, or refunded (no freelancer needed). */
@DataObject
public final class MilestoneRequest extends JsonData {

  public MilestoneRequest(String contractId, String milestoneId, String freelancerId) {
    this(new JsonObject().put("contractId", contractId).put("milestoneId", milestoneId).put("freelancerId", freelancerId));
  }

  public MilestoneRequest(JsonObject json) {
    super(json);
  }

  public String contractId() { return json.getString("contractId"); }
  public String milestoneId() { return json.getString("milestoneId"); }
  public String freelancerId() { return json.getString("freelancerId"); }
}
