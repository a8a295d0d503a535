package io.azora.education;

import io.azora.platform.Problems;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.serviceproxy.ServiceException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * GET /courses: published courses filtered by category, level and skill, searched with PostgreSQL
 * full-text search (websearch syntax over title, description and lesson text, ranked by ts_rank_cd),
 * paged by page number (with total and pages) or by an opaque keyset cursor.
 */
final class CourseSearch {

  private final Pool pool;

  CourseSearch(Pool pool) {
    this.pool = pool;
  }

  Future<JsonObject> list(JsonObject query) {
    String q = blankToNull(query.getString("q"));
    int limit = Integer.parseInt(query.getString("limit", "20"));
    int page = Integer.parseInt(query.getString("page", "1"));
    String cursor = blankToNull(query.getString("cursor"));
    Tuple params = Tuple.tuple();
    StringBuilder where = new StringBuilder("c.published");
    String rank = "0::real";
    if (query.getString("category") != null) {
      params.addString(query.getString("category"));
      where.append(" AND c.category = $").append(params.size());
    }
    if (query.getString("level") != null) {
      params.addString(query.getString("level"));
      where.append(" AND c.level = $").append(params.size());
    }
    if (query.getString("skill") != null) {
      params.addString(query.getString("skill").strip().toLowerCase());
      where.append(" AND c.skills @> ARRAY[$").append(params.size()).append("::text]");
    }
    if (q != null) {
      params.addString(q);
      String tsquery = "websearch_to_tsquery('english', $" + params.size() + ")";
      where.append(" AND c.search @@ ").append(tsquery);
      rank = "ts_rank_cd(c.search, " + tsquery + ")";
    }
    Tuple countParams = copy(params);
    String filter = where.toString();
    String order = q != null ? "rank DESC, c.id DESC" : "c.published_at DESC, c.id DESC";
    StringBuilder keyset = new StringBuilder();
    try {
      if (cursor != null) {
        String[] position = Catalog.uncursor(cursor, 2);
        if (q != null) {
          params.addFloat(Float.parseFloat(position[0])).addUUID(UUID.fromString(position[1]));
          keyset.append(" AND (").append(rank).append(" < $").append(params.size() - 1).append(" OR (").append(rank)
              .append(" = $").append(params.size() - 1).append(" AND c.id < $").append(params.size()).append("))");
        } else {
          params.addOffsetDateTime(OffsetDateTime.parse(position[0])).addUUID(UUID.fromString(position[1]));
          keyset.append(" AND (c.published_at, c.id) < ($").append(params.size() - 1).append(", $").append(params.size()).append(")");
        }
      }
    } catch (ServiceException e) {
      return Future.failedFuture(e);
    } catch (RuntimeException e) {
      return Problems.fail(Problems.invalid("cursor", "is not a cursor this server gave"));
    }
    params.addInteger(limit);
    String sql = "SELECT " + Catalog.COURSE_COLUMNS + ", " + rank + " AS rank FROM courses c WHERE " + filter + keyset
        + " ORDER BY " + order
        + " LIMIT $" + params.size();
    if (cursor == null) {
      params.addInteger((page - 1) * limit);
      sql += " OFFSET $" + params.size();
    }
    boolean byCursor = cursor != null;
    return Future.all(pool.preparedQuery(sql).execute(params),
            pool.preparedQuery("SELECT count(*) FROM courses c WHERE " + filter).execute(countParams))
        .map(all -> {
          RowSet<Row> rows = all.resultAt(0);
          long total = all.<RowSet<Row>>resultAt(1).iterator().next().getLong(0);
          JsonArray items = new JsonArray();
          Row last = null;
          for (Row row : rows) {
            items.add(Catalog.courseJson(row));
            last = row;
          }
          String next = null;
          boolean more = byCursor ? rows.size() == limit : (long) page * limit < total;
          if (more && last != null) {
            next = q != null ? Catalog.cursor(Float.toString(last.getFloat("rank")), last.getUUID("id").toString())
                : Catalog.cursor(last.getOffsetDateTime("published_at").toString(), last.getUUID("id").toString());
          }
          JsonObject result = new JsonObject().put("items", items).put("courses", items).put("total", total)
              .put("pages", (total + limit - 1) / limit).put("limit", limit).put("nextCursor", next);
          return byCursor ? result.putNull("page") : result.put("page", page);
        });
  }

  private static Tuple copy(Tuple params) {
    Tuple copy = Tuple.tuple();
    for (int i = 0; i < params.size(); i++) {
      copy.addValue(params.getValue(i));
    }
    return copy;
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }
}
