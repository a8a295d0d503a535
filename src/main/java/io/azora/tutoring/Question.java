package io.azora.tutoring;

import io.azora.platform.Problems;
import io.vertx.core.json.JsonObject;

import java.util.UUID;

/** A question to Elara, checked: {@code id} the asker's (echoed in every answer message), optional scope. */
record Question(String id, String text, UUID courseId, UUID lessonId) {

  static final int MAX_ID_CHARS = 64;

  /** The question in {@code json}, or 400 naming the field; texts longer than {@code maxChars} are refused. */
  static Question from(JsonObject json, int maxChars) {
    Object id = json.getValue("id");
    if (!(id instanceof String s) || s.isEmpty() || s.length() > MAX_ID_CHARS) {
      throw Problems.invalid("id", "1 to " + MAX_ID_CHARS + " characters");
    }
    Object text = json.getValue("text");
    if (!(text instanceof String t) || t.isBlank() || t.length() > maxChars) {
      throw Problems.invalid("text", "1 to " + maxChars + " characters");
    }
    return new Question(s, t.strip(), uuid(json, "courseId"), uuid(json, "lessonId"));
  }

  private static UUID uuid(JsonObject json, String field) {
    Object value = json.getValue(field);
    if (value == null) {
      return null;
    }
    try {
      return UUID.fromString((String) value);
    } catch (RuntimeException e) {
      throw Problems.invalid(field, "must be an id");
    }
  }

  /** This question, about {@code course} (the course of its lesson, when it named a lesson). */
  Question inCourse(UUID course) {
    return new Question(id, text, course, lessonId);
  }
}
