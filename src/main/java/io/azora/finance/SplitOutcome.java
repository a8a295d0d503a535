package io.azora.finance;

import io.azora.platform.JsonData;
import io.vertx.codegen.annotations.DataObject;
import io.vertx.core.json.JsonObject;

/** A dispute settled: what the freelancer got (after the fee), the fee, and what went back to the employer. */
@DataObject
public final class SplitOutcome extends JsonData {

  public SplitOutcome(String contractId, String toFreelancer, String fee, String toEmployer, String status) {
    this(new JsonObject().put("contractId", contractId).put("toFreelancer", toFreelancer).put("fee", fee)
        .put("toEmployer", toEmployer).put("status", status));
  }

  public SplitOutcome(JsonObject json) {
    super(json);
  }

  public String contractId() { return json.getString("contractId"); }
  public String toFreelancer() { return json.getString("toFreelancer"); }
  public String fee() { return json.getString("fee"); }
  public String toEmployer() { return json.getString("toEmployer"); }
  public String status() { return json.getString("status"); }
}
