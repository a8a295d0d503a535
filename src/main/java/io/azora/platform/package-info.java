/** What every domain shares: configuration, the database and Redis, Nexus, the caller's shape. */
@ModuleGen(name = "azora-platform", groupPackage = "io.azora")
package io.azora.platform;

import io.vertx.codegen.annotations.ModuleGen;
