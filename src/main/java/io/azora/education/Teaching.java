package io.azora.education;

import io.azora.platform.Caller;

import java.util.UUID;

/** Who may teach and who owns a course: instructors create courses; a course's instructor and admins edit it. */
final class Teaching {

  private Teaching() {
  }

  static boolean mayTeach(Caller caller) {
    return caller.has("instructor") || caller.isAdmin();
  }

  /** The course's instructor, or an admin. */
  static boolean owns(Caller caller, UUID instructorId) {
    return caller.isAdmin() || (!caller.anonymous() && caller.userUuid().equals(instructorId));
  }
}
