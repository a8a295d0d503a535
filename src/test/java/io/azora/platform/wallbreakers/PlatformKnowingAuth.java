package io.azora.platform.wallbreakers;

import io.azora.auth.AuthService;

/** Breaks the wall on purpose (ArchitectureTest shows the rule catches it): platform knowing a domain. */
public final class PlatformKnowingAuth {

  public String address() {
    return AuthService.ADDRESS;
  }

  public Class<?> service() {
    return AuthService.class;
  }
}
