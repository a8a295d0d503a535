package io.azora.education;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** EducationService on the bus: each call handed to the part of education that owns it. */
final class EducationServiceImpl implements EducationService {

  static final String SOURCE = "education";

  private final Catalog catalog;
  private final CatalogReads reads;
  private final Enrollments enrollments;
  private final Assessments assessments;
  private final Completion completion;

  EducationServiceImpl(Catalog catalog, CatalogReads reads, Enrollments enrollments, Assessments assessments,
                       Completion completion) {
    this.assessments = assessments;
    this.completion = completion;
    this.catalog = catalog;
    this.reads = reads;
    this.enrollments = enrollments;
  }

  @Override
  public Future<JsonObject> listCourses(JsonObject query) {
    return reads.list(query);
  }

  @Override
  public Future<JsonObject> createCourse(JsonObject caller, JsonObject request) {
    return catalog.create(Who.of(caller), request);
  }

  @Override
  public Future<JsonObject> course(JsonObject caller, String courseId) {
    return reads.course(Who.of(caller), courseId);
  }

  @Override
  public Future<JsonObject> updateCourse(JsonObject caller, String courseId, JsonObject changes) {
    return catalog.update(Who.of(caller), courseId, changes);
  }

  @Override
  public Future<JsonObject> publishCourse(JsonObject caller, String courseId) {
    return catalog.publish(Who.of(caller), courseId);
  }

  @Override
  public Future<JsonObject> addModule(JsonObject caller, String courseId, JsonObject request) {
    return catalog.addModule(Who.of(caller), courseId, request);
  }

  @Override
  public Future<JsonObject> addLesson(JsonObject caller, String courseId, String moduleId, JsonObject request) {
    return catalog.addLesson(Who.of(caller), courseId, moduleId, request);
  }

  @Override
  public Future<JsonObject> lesson(JsonObject caller, String lessonId) {
    return catalog.lesson(Who.of(caller), lessonId);
  }

  @Override
  public Future<JsonObject> addAssessment(JsonObject caller, String courseId, JsonObject request) {
    return catalog.addAssessment(Who.of(caller), courseId, request);
  }

  @Override
  public Future<JsonObject> enroll(JsonObject caller, String courseId, JsonObject request) {
    return enrollments.enroll(Who.of(caller), courseId, request);
  }

  @Override
  public Future<JsonObject> verifyCourse(JsonObject caller, String courseId, JsonObject request) {
    return catalog.verify(Who.of(caller), courseId, request);
  }

  @Override
  public Future<JsonObject> completeLesson(JsonObject caller, String lessonId) {
    return enrollments.completeLesson(Who.of(caller), lessonId);
  }

  @Override
  public Future<JsonObject> progress(JsonObject caller, String studentId) {
    return enrollments.progress(Who.of(caller), studentId);
  }

  @Override
  public Future<JsonObject> attempt(JsonObject caller, String assessmentId, JsonObject request) {
    return assessments.attempt(Who.of(caller), assessmentId, request);
  }

  @Override
  public Future<JsonArray> credentials(JsonObject caller) {
    Who who = Who.of(caller);
    return who.anonymous() ? io.azora.platform.Problems.fail(io.azora.platform.Problems.unauthorized("Sign in first"))
        : completion.credentials(who.userId());
  }
}
