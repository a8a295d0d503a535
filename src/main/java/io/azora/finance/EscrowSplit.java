package io.azora.finance;

import io.azora.platform.JsonData;
import io.vertx.codegen.annotations.DataObject;
import io.vertx.core.json.JsonObject;

/** A dispute's settlement: {@code freelancerShare} percent (0 to 100) of every open hold to the freelancer. */
@DataObject
public final class EscrowSplit extends JsonData {

  public EscrowSplit(String contractId, String freelancerId, Integer freelancerShare) {
    this(new JsonObject().put("contractId", contractId).put("freelancerId", freelancerId)
        .put("freelancerShare", freelancerShare));
  }

  public EscrowSplit(JsonObject json) {
    super(json);
  }

  public String contractId() { return json.getString("contractId"); }
  public String freelancerId() { return json.getString("freelancerId"); }

  /** The share, or null when it is no whole number (any integral number type the bus carries). */
  public Integer freelancerShare() {
    Object share = json.getValue("freelancerShare");
    if (share instanceof Number n) {
      double value = n.doubleValue();
      if (value == Math.rint(value) && Math.abs(value) <= Integer.MAX_VALUE) {
        return (int) value;
      }
    }
    return null;
  }
}
