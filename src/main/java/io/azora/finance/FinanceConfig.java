package io.azora.finance;

import io.azora.platform.Money;
import io.vertx.core.json.JsonObject;

/** The {@code finance} section of the configuration; amounts in minor units. */
record FinanceConfig(long initialSupply, long maxSupply) {

  static FinanceConfig from(JsonObject config) {
    JsonObject f = config.getJsonObject("finance", new JsonObject());
    return new FinanceConfig(
        Money.parse(f.getValue("initialSupply", "100000000"), "finance.initialSupply"),
        Money.parse(f.getValue("maxSupply", "1000000000"), "finance.maxSupply"));
  }
}
