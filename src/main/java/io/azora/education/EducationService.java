package io.azora.education;

import io.azora.platform.Caller;
import io.vertx.codegen.annotations.ProxyGen;
import io.vertx.codegen.annotations.VertxGen;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The education domain's contract on the event bus. {@code caller} is {@code {userId, roles}} of the
 * request's verified token, or an empty object for an anonymous caller; bodies are API.md's JSON (already
 * schema-checked). Failures are {@link io.vertx.serviceproxy.ServiceException}s whose code is the HTTP status.
 */
@ProxyGen
@VertxGen
public interface EducationService {

  String ADDRESS = "azora.education";

  static EducationService createProxy(Vertx vertx, DeliveryOptions options) {
    return new EducationServiceVertxEBProxy(vertx, ADDRESS, options);
  }

  /** Published courses: {@code query} holds category, level, skill, q, page, limit, cursor (strings). */
  Future<JsonObject> listCourses(JsonObject query);

  Future<JsonObject> createCourse(Caller caller, JsonObject request);

  /** A course with its modules, lessons (no content) and assessments; unpublished ones for their instructor only. */
  Future<JsonObject> course(Caller caller, String courseId);

  Future<JsonObject> updateCourse(Caller caller, String courseId, JsonObject changes);

  Future<JsonObject> publishCourse(Caller caller, String courseId);

  Future<JsonObject> addModule(Caller caller, String courseId, JsonObject request);

  Future<JsonObject> addLesson(Caller caller, String courseId, String moduleId, JsonObject request);

  /** A lesson with its content: for enrolled learners, the course's instructor and admins. */
  Future<JsonObject> lesson(Caller caller, String lessonId);

  Future<JsonObject> addAssessment(Caller caller, String courseId, JsonObject request);

  /**
   * Enrolls the caller in a published course: 201 {id, studentId, courseId, status, progress, enrolledAt};
   * {@code request} may name the {@code expectedPrice} (409 price_changed when it differs); 402 if a paid
   * course is unaffordable; 409 when already enrolled.
   */
  Future<JsonObject> enroll(Caller caller, String courseId, JsonObject request);

  /** An admin verifies a course for Proof-of-Knowledge rewards at the reviewed {@code level}: the course. */
  Future<JsonObject> verifyCourse(Caller caller, String courseId, JsonObject request);

  /** {courseId, progress, completedLessons, totalLessons} after marking the lesson done (enrolled learners). */
  Future<JsonObject> completeLesson(Caller caller, String lessonId);

  /** {studentId, enrollments: [...]}: the learner themself or an admin. */
  Future<JsonObject> progress(Caller caller, String studentId);

  /** Grades {answers: [{questionIndex, value}]}: {id, score, passed, reward, ...} (enrolled learners). */
  Future<JsonObject> attempt(Caller caller, String assessmentId, JsonObject request);

  /** The caller's credentials: [{courseId, courseTitle, skills, issuedAt, credential}]. */
  Future<JsonArray> credentials(Caller caller);
}
