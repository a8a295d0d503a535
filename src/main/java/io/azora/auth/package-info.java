/** Auth: users, sessions, tokens, MFA and Google sign-in; owns the azora_auth database. */
@ModuleGen(name = "azora-auth", groupPackage = "io.azora")
package io.azora.auth;

import io.vertx.codegen.annotations.ModuleGen;
