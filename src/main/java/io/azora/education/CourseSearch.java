package io.azora.education;

import io.azora.platform.Problems;
import io.azora.platform.ReadPool;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.serviceproxy.ServiceException;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * GET /courses: published courses filtered by category, level and skill, searched with PostgreSQL
 * full-text search (websearch syntax over title, description and lesson text, ranked by ts_rank_cd),
 * paged by page number (with total and pages) or by an opaque keyset cursor.
 */
final class CourseSearch {

  /** The replica when one is configured and current (searches tolerate nothing older than what was committed). */
  private final ReadPool pool;

  CourseSearch(ReadPool pool) {
    this.pool = pool;
  }

  Future<JsonObject> list(JsonObject query) {
    int limit = Integer.parseInt(query.getString("limit", "20"));
    int page = Integer.parseInt(query.getString("page", "1"));
    String cursor = blankToNull(query.getString("cursor"));
    Filter filter = Filter.of(query);
    Tuple params = Tuple.from(filter.values());
    String keyset;
    try {
      keyset = cursor == null ? "" : filter.after(Cursors.decode(cursor, 2), params);
    } catch (ServiceException e) {
      return Future.failedFuture(e);
    } catch (RuntimeException e) {
      return Problems.fail(Problems.invalid("cursor", "is not a cursor this server gave"));
    }
    // By cursor, one row more than the page: whether another page follows, without an empty last one.
    params.addInteger(cursor == null ? limit : limit + 1);
    String sql = "SELECT " + CatalogQueries.COURSE_COLUMNS + ", " + filter.rank() + " AS rank FROM courses c WHERE "
        + filter.where() + keyset + " ORDER BY " + filter.order() + " LIMIT $" + params.size();
    if (cursor == null) {
      params.addInteger((page - 1) * limit);
      sql += " OFFSET $" + params.size();
    }
    String statement = sql;
    return pool.read(db -> Future.all(db.preparedQuery(statement).execute(params),
            db.preparedQuery("SELECT count(*) FROM courses c WHERE " + filter.where()).execute(Tuple.from(filter.values()))))
        .map(all -> {
          RowSet<Row> rows = all.resultAt(0);
          long total = all.<RowSet<Row>>resultAt(1).iterator().next().getLong(0);
          boolean more = cursor != null ? rows.size() > limit : (long) page * limit < total;
          return answer(rows, filter, more, total, limit, cursor != null ? null : page);
        });
  }

  /** One page of courses; {@code page} null when paged by cursor. */
  private static JsonObject answer(RowSet<Row> rows, Filter filter, boolean more, long total, int limit, Integer page) {
    JsonArray items = new JsonArray();
    Row last = null;
    for (Row row : rows) {
      if (items.size() == limit) {
        break;  // the row that only said another page follows
      }
      items.add(CatalogQueries.courseJson(row));
      last = row;
    }
    String next = more && last != null ? filter.cursorAfter(last) : null;
    return new JsonObject().put("items", items).put("courses", items).put("total", total)
        .put("pages", (total + limit - 1) / limit).put("limit", limit).put("nextCursor", next).put("page", page);
  }

  /**
   * The query's filters as SQL: the WHERE clause over published courses with its parameter values, and the
   * order (by rank when searching, else newest first) that keyset cursors continue.
   */
  private record Filter(String where, List<Object> values, String rank, boolean searching) {

    static Filter of(JsonObject query) {
      List<Object> values = new ArrayList<>();
      StringBuilder where = new StringBuilder("c.published");
      if (query.getString("category") != null) {
        values.add(query.getString("category"));
        where.append(" AND c.category = $").append(values.size());
      }
      if (query.getString("level") != null) {
        values.add(query.getString("level"));
        where.append(" AND c.level = $").append(values.size());
      }
      if (query.getString("skill") != null) {
        values.add(query.getString("skill").strip().toLowerCase());
        where.append(" AND c.skills @> ARRAY[$").append(values.size()).append("::text]");
      }
      String q = blankToNull(query.getString("q"));
      if (q == null) {
        return new Filter(where.toString(), values, "0::real", false);
      }
      values.add(q);
      String tsquery = "websearch_to_tsquery('english', $" + values.size() + ")";
      where.append(" AND c.search @@ ").append(tsquery);
      return new Filter(where.toString(), values, "ts_rank_cd(c.search, " + tsquery + ")", true);
    }

    String order() {
      return searching ? "rank DESC, c.id DESC" : "c.published_at DESC, c.id DESC";
    }

    /** The condition for rows after a cursor's {@code position}, whose values it adds to {@code params}. */
    String after(String[] position, Tuple params) {
      UUID id = UUID.fromString(position[1]);
      if (searching) {
        params.addFloat(Float.parseFloat(position[0])).addUUID(id);
        int r = params.size() - 1;
        return " AND (" + rank + " < $" + r + " OR (" + rank + " = $" + r + " AND c.id < $" + (r + 1) + "))";
      }
      params.addOffsetDateTime(OffsetDateTime.parse(position[0])).addUUID(id);
      return " AND (c.published_at, c.id) < ($" + (params.size() - 1) + ", $" + params.size() + ")";
    }

    /** The cursor of the rows after {@code last}. */
    String cursorAfter(Row last) {
      String position = searching ? Float.toString(last.getFloat("rank")) : last.getOffsetDateTime("published_at").toString();
      return Cursors.encode(position, last.getUUID("id").toString());
    }
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }
}
