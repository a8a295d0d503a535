/** Marketplace: jobs, verified skills, matching, applications (contracts and escrow next); owns azora_forge. */
@ModuleGen(name = "azora-marketplace", groupPackage = "io.azora")
package io.azora.marketplace;

import io.vertx.codegen.annotations.ModuleGen;
