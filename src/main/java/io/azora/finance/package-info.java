/** Finance: the AZR ledger, wallets, mining, staking, Stripe payments and escrow (database azora_mint). */
@ModuleGen(name = "azora-finance", groupPackage = "io.azora")
package io.azora.finance;

import io.vertx.codegen.annotations.ModuleGen;
