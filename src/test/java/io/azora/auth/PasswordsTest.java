package io.azora.auth;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** argon2id with OWASP parameters, salted; the policy refuses short, long and common passwords. */
class PasswordsTest {

  @Test
  void hashesAreArgon2idWithOwaspParametersAndSalted() {
    String a = Passwords.hash("violet-harbor-42");
    String b = Passwords.hash("violet-harbor-42");
    assertTrue(a.startsWith("$argon2id$v=19$m=19456,t=2,p=1$"), a);
    assertNotEquals(a, b, "a random salt per hash");
    assertTrue(Passwords.matches("violet-harbor-42", a));
    assertFalse(Passwords.matches("violet-harbor-43", a));
    assertFalse(Passwords.matches("violet-harbor-42", null), "unknown users never match");
  }

  @Test
  void policy() {
    Passwords policy = new Passwords(8, 64);
    assertNotNull(policy.weakness("short", "a@b.cd"));
    assertNotNull(policy.weakness("x".repeat(65), "a@b.cd"));
    assertNull(policy.weakness("y".repeat(64), "a@b.cd"), "64 characters are allowed");
    assertNotNull(policy.weakness("Password1", "a@b.cd"), "common, whatever the case");
    assertNotNull(policy.weakness("a@b.cd.long", "a@b.cd.long"));
    assertNull(policy.weakness("correct horse battery staple", "a@b.cd"));
  }
}
