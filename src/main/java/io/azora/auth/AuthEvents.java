package io.azora.auth;

import io.azora.platform.EventType;

import java.util.List;

/** The events auth produces on Nexus (its outbox, its feed): what other domains may subscribe to. */
public final class AuthEvents {

  public static final String SOURCE = "auth";

  public static final EventType USER_REGISTERED = EventType.of(SOURCE, "user.registered", 1,
      "A person registered, with a password or through Google; roles as granted",
      "userId", "email", "name", "roles");

  public static final List<EventType> ALL = List.of(USER_REGISTERED);

  private AuthEvents() {
  }
}
