/** Tutoring: Elara the AI tutor, live rooms, notifications; owns the azora_tutoring database. */
@ModuleGen(name = "azora-tutoring", groupPackage = "io.azora")
package io.azora.tutoring;

import io.vertx.codegen.annotations.ModuleGen;
