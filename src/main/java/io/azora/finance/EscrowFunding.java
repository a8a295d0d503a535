package io.azora.finance;

import io.azora.platform.JsonData;
import io.vertx.codegen.annotations.DataObject;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;

/** A contract's milestones to hold in escrow from the employer's wallet: all of them, or none. */
@DataObject
public final class EscrowFunding extends JsonData {

  /** One milestone: the marketplace's id for it and its amount (an exact decimal string; as sent). */
  public record Milestone(String id, Object amount) {
  }

  public EscrowFunding(String contractId, String employerId, List<Milestone> milestones) {
    this(new JsonObject().put("contractId", contractId).put("employerId", employerId).put("milestones",
        new JsonArray(milestones.stream().map(m -> new JsonObject().put("id", m.id()).put("amount", m.amount())).toList())));
  }

  public EscrowFunding(JsonObject json) {
    super(json);
  }

  public String contractId() { return json.getString("contractId"); }
  public String employerId() { return json.getString("employerId"); }

  /** The milestones as sent; an entry that is no object is a milestone with neither id nor amount. */
  public List<Milestone> milestones() {
    Object list = json.getValue("milestones");
    return !(list instanceof JsonArray array) ? List.of() : array.stream()
        .map(o -> o instanceof JsonObject m ? new Milestone(m.getString("id"), m.getValue("amount"))
            : new Milestone(null, null))
        .toList();
  }
}
