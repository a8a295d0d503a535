package io.azora.marketplace;

import io.azora.platform.Caller;
import io.azora.platform.Money;
import io.azora.platform.Nexus;
import io.azora.platform.OutboxRelay;
import io.azora.platform.Page;
import io.azora.platform.Problems;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.serviceproxy.ServiceException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * Jobs: employers post them (milestones summing to the budget; one of the whole budget by default), edit
 * them while open, close them; they expire at their deadline. The list of open jobs searches title and
 * description (ranked), filters by category, skills (any or all) and budget, and pages by cursor; its pages
 * are cached for every node ({@code marketplace.jobsCacheSeconds}), and any change to a job moves the
 * cache on at once (a deadline passing shows within that time).
 */
final class Jobs {

  static final int MAX_TITLE = 200;
  static final int MAX_DESCRIPTION = 20_000;
  static final int MAX_MILESTONES = 20;
  static final Duration LONGEST_DEADLINE = Duration.ofDays(730);
  static final String COLUMNS = "j.id, j.employer_id, j.title, j.description, j.budget, j.skills, j.category, j.deadline,"
      + " j.milestones, j.status, j.created_at, j.updated_at";

  private final Vertx vertx;
  private final Pool pool;
  /** Searches: the replica when one is configured and current. */
  private final io.azora.platform.ReadPool searches;
  private final Skills skills;
  /** Open-job lists through the shared cache ({@code read(entry, load)}); null: no cache. */
  private final ListCache lists;
  /** Called after a change to what the lists show commits: the cache's version moves on. */
  private final Runnable changed;

  /** The shared cache of job lists, as Jobs uses it. */
  interface ListCache {
    Future<JsonObject> read(String entry, java.util.function.Supplier<Future<JsonObject>> load);
  }

  Jobs(Vertx vertx, Pool pool, io.azora.platform.ReadPool searches, Skills skills, ListCache lists, Runnable changed) {
    this.searches = searches;
    this.vertx = vertx;
    this.pool = pool;
    this.skills = skills;
    this.lists = lists;
    this.changed = changed;
  }

  /** A job as the API shows it; {@code expired} once an open job's deadline has passed. */
  static JsonObject json(Row row) {
    JsonArray milestones = new JsonArray();
    for (Object m : (JsonArray) row.getValue("milestones")) {
      JsonObject milestone = (JsonObject) m;
      milestones.add(new JsonObject().put("id", milestone.getString("id")).put("title", milestone.getString("title"))
          .put("amount", Money.format(milestone.getLong("amount"))));
    }
    OffsetDateTime deadline = row.getOffsetDateTime("deadline");
    String status = row.getString("status");
    if ("open".equals(status) && !deadline.isAfter(OffsetDateTime.now())) {
      status = "expired";
    }
    return new JsonObject().put("id", row.getUUID("id").toString()).put("employerId", row.getUUID("employer_id").toString())
        .put("title", row.getString("title")).put("description", row.getString("description"))
        .put("budget", Money.format(row.getLong("budget"))).put("currency", "AZR")
        .put("skills", new JsonArray(List.of(row.getArrayOfStrings("skills")))).put("category", row.getString("category"))
        .put("deadline", deadline.toInstant().toString()).put("milestones", milestones).put("status", status)
        .put("createdAt", row.getOffsetDateTime("created_at").toInstant().toString())
        .put("updatedAt", row.getOffsetDateTime("updated_at").toInstant().toString());
  }

  /** What a job's fields become, checked (the gateway checked their shapes; these are the rules). */
  private record Draft(String title, String description, long budget, List<String> skills, String category,
                       OffsetDateTime deadline, JsonArray milestones) {
  }

  private Draft draft(JsonObject request, Row current) {
    String title = text(request, "title", MAX_TITLE, current == null ? null : current.getString("title"));
    String description = text(request, "description", MAX_DESCRIPTION,
        current == null ? null : current.getString("description"));
    long budget = request.containsKey("budget") ? Money.parsePositive(request.getValue("budget"), "budget")
        : current.getLong("budget");
    List<String> names = request.containsKey("skills") ? skills.normalise(request.getJsonArray("skills"))
        : List.of(current.getArrayOfStrings("skills"));
    if (names.isEmpty() || names.size() > Skills.MAX_SKILLS) {
      throw Problems.invalid("skills", "1 to " + Skills.MAX_SKILLS + " skills");
    }
    String category = text(request, "category", 50, current == null ? null : current.getString("category"))
        .toLowerCase(Locale.ROOT);
    OffsetDateTime deadline = current == null || request.containsKey("deadline") ? deadline(request.getString("deadline"))
        : current.getOffsetDateTime("deadline");
    JsonArray milestones;
    if (request.containsKey("milestones")) {
      milestones = milestones(request.getJsonArray("milestones"), budget);
    } else if (current == null || request.containsKey("budget") && current.getLong("budget") != budget) {
      milestones = milestones(null, budget);  // a new budget without milestones: one of the whole budget
    } else {
      milestones = (JsonArray) current.getValue("milestones");
    }
    return new Draft(title, description, budget, names, category, deadline, milestones);
  }

  private static String text(JsonObject request, String field, int max, String current) {
    Object value = request.getValue(field);
    if (value == null && current != null) {
      return current;
    }
    String text = value instanceof String s ? s.strip() : "";
    if (text.isEmpty() || text.length() > max) {
      throw Problems.invalid(field, "1 to " + max + " characters");
    }
    return text;
  }

  private static OffsetDateTime deadline(String value) {
    OffsetDateTime deadline;
    try {
      deadline = OffsetDateTime.parse(value == null ? "" : value);
    } catch (DateTimeParseException e) {
      throw Problems.invalid("deadline", "an RFC 3339 time, e.g. 2027-01-31T17:00:00Z");
    }
    OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
    if (!deadline.isAfter(now)) {
      throw Problems.invalid("deadline", "must be in the future");
    }
    if (deadline.isAfter(now.plus(LONGEST_DEADLINE))) {
      throw Problems.invalid("deadline", "at most two years ahead");
    }
    return deadline;
  }

  /** Milestones with ids and amounts in minor units, summing to {@code budget}; one of it all when absent. */
  private static JsonArray milestones(JsonArray requested, long budget) {
    JsonArray milestones = new JsonArray();
    if (requested == null) {
      return milestones.add(new JsonObject().put("id", UUID.randomUUID().toString()).put("title", "The whole job")
          .put("amount", budget));
    }
    if (requested.isEmpty() || requested.size() > MAX_MILESTONES) {
      throw Problems.invalid("milestones", "1 to " + MAX_MILESTONES + " milestones");
    }
    long sum = 0;
    for (int i = 0; i < requested.size(); i++) {
      if (!(requested.getValue(i) instanceof JsonObject m)) {
        throw Problems.invalid("milestones[" + i + "]", "must be an object");
      }
      long amount = Money.parsePositive(m.getValue("amount"), "milestones[" + i + "].amount");
      sum = Math.addExact(sum, amount);
      milestones.add(new JsonObject().put("id", UUID.randomUUID().toString())
          .put("title", text(m, "title", MAX_TITLE, null)).put("amount", amount));
    }
    if (sum != budget) {
      throw Problems.invalid("milestones", "must sum to the budget (" + Money.format(budget) + "), not " + Money.format(sum));
    }
    return milestones;
  }

  Future<JsonObject> post(Caller caller, JsonObject request) {
    if (!caller.has("employer") && !caller.isAdmin()) {
      return Problems.fail(Problems.forbidden("Posting jobs needs the employer role"));
    }
    Draft d;
    try {
      d = draft(request, null);
    } catch (ServiceException e) {
      return Future.failedFuture(e);
    }
    UUID id = UUID.randomUUID();
    return pool.withTransaction(tx -> tx.preparedQuery("""
                INSERT INTO jobs (id, employer_id, title, description, budget, skills, category, deadline, milestones)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING""" + " " + COLUMNS.replace("j.", ""))
            .execute(Tuple.of(id, caller.userUuid(), d.title(), d.description(), d.budget(), d.skills().toArray(String[]::new),
                d.category(), d.deadline(), d.milestones()))
            .compose(rows -> {
              JsonObject job = json(rows.iterator().next());
              return Nexus.emit(tx, MarketplaceEvents.JOB_POSTED, new JsonObject().put("jobId", job.getString("id"))
                      .put("employerId", job.getString("employerId")).put("title", job.getString("title"))
                      .put("budget", job.getString("budget")).put("skills", job.getJsonArray("skills"))
                      .put("category", job.getString("category")).put("deadline", job.getString("deadline")))
                  .map(job);
            }))
        .onSuccess(v -> {
          OutboxRelay.nudge(vertx, MarketplaceEvents.SOURCE);
          changed.run();
        });
  }

  Future<JsonObject> get(String jobId) {
    UUID id = uuid(jobId);
    if (id == null) {
      return Problems.fail(Problems.notFound("No such job"));
    }
    return pool.preparedQuery("SELECT " + COLUMNS + " FROM jobs j WHERE j.id = $1").execute(Tuple.of(id))
        .compose(rows -> rows.size() == 0 ? Problems.fail(Problems.notFound("No such job"))
            : Future.succeededFuture(json(rows.iterator().next())));
  }

  /** The job as its employer may change it: 404 if none, 403 if not theirs, 409 if no longer open. */
  private Future<Row> ownOpen(SqlClient tx, Caller caller, String jobId) {
    UUID id = uuid(jobId);
    if (id == null) {
      return Problems.fail(Problems.notFound("No such job"));
    }
    return tx.preparedQuery("SELECT " + COLUMNS + " FROM jobs j WHERE j.id = $1 FOR UPDATE").execute(Tuple.of(id))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Problems.fail(Problems.notFound("No such job"));
          }
          Row job = rows.iterator().next();
          if (!job.getUUID("employer_id").equals(caller.userUuid()) && !caller.isAdmin()) {
            return Problems.fail(Problems.forbidden("Only the job's employer may change it"));
          }
          if (!"open".equals(job.getString("status")) || !job.getOffsetDateTime("deadline").isAfter(OffsetDateTime.now())) {
            return Problems.fail(Problems.of(409, "job_not_open", "The job is no longer open"));
          }
          return Future.succeededFuture(job);
        });
  }

  Future<JsonObject> update(Caller caller, String jobId, JsonObject changes) {
    return pool.withTransaction(tx -> ownOpen(tx, caller, jobId).compose(current -> {
      Draft d;
      try {
        d = draft(changes, current);
      } catch (ServiceException e) {
        return Future.failedFuture(e);
      }
      return tx.preparedQuery("""
              UPDATE jobs j SET title = $2, description = $3, budget = $4, skills = $5, category = $6, deadline = $7,
                                milestones = $8, updated_at = now()
              WHERE j.id = $1 RETURNING""" + " " + COLUMNS)
          .execute(Tuple.of(current.getUUID("id"), d.title(), d.description(), d.budget(), d.skills().toArray(String[]::new),
              d.category(), d.deadline(), d.milestones()))
          .map(rows -> json(rows.iterator().next()));
    })).onSuccess(v -> changed.run());
  }

  Future<JsonObject> close(Caller caller, String jobId) {
    return pool.withTransaction(tx -> ownOpen(tx, caller, jobId).compose(current -> tx.preparedQuery(
            "UPDATE jobs j SET status = 'closed', updated_at = now() WHERE j.id = $1 RETURNING " + COLUMNS)
        .execute(Tuple.of(current.getUUID("id")))
        .map(rows -> json(rows.iterator().next())))).onSuccess(v -> changed.run());
  }

  /** Open jobs: {@code {items, nextCursor}}, ranked by {@code q} when given, else newest first. */
  Future<JsonObject> list(JsonObject query) {
    JobSearch search;
    try {
      search = new JobSearch(query, skills);
    } catch (ServiceException e) {
      return Future.failedFuture(e);
    }
    return lists.read(io.azora.platform.SharedRedis.Jobs.listEntry(query), () -> list(search));
  }

  private Future<JsonObject> list(JobSearch search) {
    return searches.read(db -> db.preparedQuery(search.sql()).execute(search.params()))
        .map(rows -> Page.of(rows, search.limit(), Jobs::json, search::cursorAfter));
  }

  static UUID uuid(String id) {
    try {
      return id == null ? null : UUID.fromString(id);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  static String encodeCursor(String... parts) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(String.join("|", parts).getBytes(StandardCharsets.UTF_8));
  }

  static String[] decodeCursor(String cursor, int parts) {
    try {
      String[] p = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8).split("\\|", -1);
      if (p.length == parts) {
        return p;
      }
    } catch (IllegalArgumentException ignored) {
      // falls through to the refusal
    }
    throw Problems.invalid("cursor", "is not a cursor this server gave");
  }

  static List<String> list(String commaSeparated) {
    List<String> values = new ArrayList<>();
    if (commaSeparated != null) {
      for (String v : commaSeparated.split(",", 50)) {
        if (!v.isBlank()) {
          values.add(v);
        }
      }
    }
    return values;
  }
}
