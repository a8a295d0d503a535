package io.azora.education;

import io.azora.platform.EventType;

import java.util.List;

/** The events education produces on Nexus (its outbox, its feed): what other domains may subscribe to. */
public final class EducationEvents {

  public static final String SOURCE = "education";

  public static final EventType COURSE_PUBLISHED = EventType.of(SOURCE, "course.published", 1,
      "A course was published: it shows in the catalogue", "courseId", "instructorId");
  public static final EventType COURSE_UPDATED = EventType.of(SOURCE, "course.updated", 1,
      "A published course changed; change is details, module, lesson, assessment or verification",
      "courseId", "instructorId", "change");
  public static final EventType LESSON_ADDED = EventType.of(SOURCE, "lesson.added", 1,
      "An instructor added a lesson to a course (published or not), with its Markdown text (up to 256 KiB)",
      "courseId", "lessonId", "moduleId", "instructorId", "title", "content", "position");
  public static final EventType ASSESSMENT_ADDED = EventType.of(SOURCE, "assessment.added", 1,
      "An instructor added an assessment to a course, with its questions' prompts only (never options' keys or answers)",
      "courseId", "assessmentId", "instructorId", "title", "prompts");
  public static final EventType COURSE_ENROLLED = EventType.of(SOURCE, "course.enrolled", 1,
      "A learner enrolled in a course (price paid in AZR, 0 when free)",
      "enrollmentId", "studentId", "courseId", "instructorId", "price");
  public static final EventType LESSON_COMPLETED = EventType.of(SOURCE, "lesson.completed", 1,
      "An enrolled learner completed a lesson (once per lesson)", "studentId", "lessonId", "courseId");
  public static final EventType ASSESSMENT_PASSED = EventType.of(SOURCE, "assessment.passed", 1,
      "A learner passed an assessment; rewardable says whether it earns AZR, at difficulty (the reviewed level)",
      "userId", "assessmentId", "courseId", "score", "rewardable", "difficulty", "attemptId");
  public static final EventType COURSE_COMPLETED = EventType.of(SOURCE, "course.completed", 1,
      "A learner completed every lesson of a course; a credential is issued; rewardable as for a pass",
      "userId", "courseId", "title", "level", "difficulty", "rewardable", "rewardsVerified", "skills", "completedAt");

  public static final List<EventType> ALL = List.of(COURSE_PUBLISHED, COURSE_UPDATED, LESSON_ADDED, ASSESSMENT_ADDED,
      COURSE_ENROLLED,
      LESSON_COMPLETED,
      ASSESSMENT_PASSED, COURSE_COMPLETED);

  private EducationEvents() {
  }
}
