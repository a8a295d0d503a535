package io.azora.gateway;

import java.util.List;

/** The authenticated caller of a request, from a verified access token. */
record Caller(String userId, String sessionId, List<String> roles, long expiresAt) {

  boolean has(String role) {
    return roles.contains(role);
  }
}
