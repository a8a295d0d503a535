package io.azora.education;

import io.azora.platform.Caller;
import io.azora.platform.Problems;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** EducationService on the bus: each call handed to the part of education that owns it. */
final class EducationServiceImpl implements EducationService {

  private final CatalogCommands catalog;
  private final CatalogReads reads;
  private final Enrollments enrollments;
  private final Assessments assessments;
  private final Completion completion;

  EducationServiceImpl(CatalogCommands catalog, CatalogReads reads, Enrollments enrollments, Assessments assessments,
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
  public Future<JsonObject> createCourse(Caller caller, JsonObject request) {
    return catalog.create(who(caller), request);
  }

  @Override
  public Future<JsonObject> course(Caller caller, String courseId) {
    return reads.course(who(caller), courseId);
  }

  @Override
  public Future<JsonObject> updateCourse(Caller caller, String courseId, JsonObject changes) {
    return catalog.update(who(caller), courseId, changes);
  }

  @Override
  public Future<JsonObject> publishCourse(Caller caller, String courseId) {
    return catalog.publish(who(caller), courseId);
  }

  @Override
  public Future<JsonObject> addModule(Caller caller, String courseId, JsonObject request) {
    return catalog.addModule(who(caller), courseId, request);
  }

  @Override
  public Future<JsonObject> addLesson(Caller caller, String courseId, String moduleId, JsonObject request) {
    return catalog.addLesson(who(caller), courseId, moduleId, request);
  }

  @Override
  public Future<JsonObject> lesson(Caller caller, String lessonId) {
    return reads.lesson(who(caller), lessonId);
  }

  @Override
  public Future<JsonObject> addAssessment(Caller caller, String courseId, JsonObject request) {
    return catalog.addAssessment(who(caller), courseId, request);
  }

  @Override
  public Future<JsonObject> enroll(Caller caller, String courseId, JsonObject request) {
    return enrollments.enroll(who(caller), courseId, request);
  }

  @Override
  public Future<JsonObject> verifyCourse(Caller caller, String courseId, JsonObject request) {
    return catalog.verify(who(caller), courseId, request);
  }

  @Override
  public Future<JsonObject> completeLesson(Caller caller, String lessonId) {
    return enrollments.completeLesson(who(caller), lessonId);
  }

  @Override
  public Future<JsonObject> progress(Caller caller, String studentId) {
    return enrollments.progress(who(caller), studentId);
  }

  @Override
  public Future<JsonObject> attempt(Caller caller, String assessmentId, JsonObject request) {
    return assessments.attempt(who(caller), assessmentId, request);
  }

  @Override
  public Future<JsonArray> credentials(Caller caller) {
    Caller who = who(caller);
    return who.anonymous() ? Problems.fail(Problems.unauthorized("Sign in first")) : completion.credentials(who.userUuid());
  }

  /** The caller as the gateway sent it; nobody if it sent none. */
  private static Caller who(Caller caller) {
    return caller == null ? Caller.ANONYMOUS : caller;
  }
}
