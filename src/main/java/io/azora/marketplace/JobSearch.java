package io.azora.marketplace;

import io.azora.platform.Money;
import io.azora.platform.Problems;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * One page of GET /api/jobs as SQL: open jobs whose deadline is ahead, filtered by category, skills (any or
 * all, compared as normalised names, through the skills index) and budget range; ranked by full-text
 * relevance when {@code q} is given (title above description), newest first otherwise; paged by a keyset
 * cursor on (rank or creation time, id).
 */
final class JobSearch {

  private final List<String> where = new ArrayList<>();
  private final Tuple params = Tuple.tuple();
  private final boolean ranked;
  private final int limit;
  private String rankExpression;

  JobSearch(JsonObject query, Skills skills) {
    where.add("j.status = 'open' AND j.deadline > now()");
    String q = query.getString("q");
    ranked = q != null && !q.isBlank();
    if (ranked) {
      params.addString(q.strip());
      rankExpression = "ts_rank_cd(j.search, websearch_to_tsquery('english', $1))";
      where.add("j.search @@ websearch_to_tsquery('english', $1)");
    }
    String category = query.getString("category");
    if (category != null && !category.isBlank()) {
      where.add("j.category = " + param(category.strip().toLowerCase(java.util.Locale.ROOT)));
    }
    List<String> wanted = new ArrayList<>();
    for (String skill : Jobs.list(query.getString("skills"))) {
      String name = skills.normalise(skill);
      if (name != null) {
        wanted.add(name);
      }
    }
    if (!wanted.isEmpty()) {
      String op = "all".equals(query.getString("skillsMatch")) ? "@>" : "&&";
      where.add("j.skills " + op + " " + paramArray(wanted.toArray(String[]::new)));
    }
    if (query.getString("minBudget") != null) {
      where.add("j.budget >= " + param(Money.parse(query.getString("minBudget"), "minBudget")));
    }
    if (query.getString("maxBudget") != null) {
      where.add("j.budget <= " + param(Money.parse(query.getString("maxBudget"), "maxBudget")));
    }
    Object size = query.getValue("limit");
    try {
      limit = Math.max(1, Math.min(size instanceof Number n ? n.intValue() : size == null ? 20 : Integer.parseInt((String) size), 100));
    } catch (NumberFormatException e) {
      throw Problems.invalid("limit", "1 to 100");
    }
    String cursor = query.getString("cursor");
    if (cursor != null) {
      String[] at = Jobs.decodeCursor(cursor, 3);
      UUID id = Jobs.uuid(at[2]);
      if (id == null || !(ranked ? "r" : "t").equals(at[0])) {
        throw Problems.invalid("cursor", "is not a cursor of this search");
      }
      if (ranked) {
        float rank;
        try {
          rank = Float.parseFloat(at[1]);
        } catch (NumberFormatException e) {
          throw Problems.invalid("cursor", "is not a cursor this server gave");
        }
        String r = param(rank);
        where.add("(" + rankExpression + " < " + r + "::real OR (" + rankExpression + " = " + r + "::real AND j.id < "
            + param(id) + "))");
      } else {
        OffsetDateTime created;
        try {
          created = Instant.parse(at[1]).atOffset(ZoneOffset.UTC);
        } catch (RuntimeException e) {
          throw Problems.invalid("cursor", "is not a cursor this server gave");
        }
        where.add("(j.created_at, j.id) < (" + param(created) + ", " + param(id) + ")");
      }
    }
  }

  private String param(Object value) {
    params.addValue(value);
    return "$" + params.size();
  }

  private String paramArray(String[] values) {
    params.addArrayOfString(values);
    return "$" + params.size();
  }

  String sql() {
    return "SELECT " + Jobs.COLUMNS + (ranked ? ", " + rankExpression + " AS rank" : "") + " FROM jobs j WHERE "
        + String.join(" AND ", where)
        + (ranked ? " ORDER BY rank DESC, j.id DESC" : " ORDER BY j.created_at DESC, j.id DESC")
        + " LIMIT " + (limit + 1);
  }

  Tuple params() {
    return params;
  }

  int limit() {
    return limit;
  }

  /** The cursor of the page after {@code last}. */
  String cursorAfter(Row last) {
    return ranked ? Jobs.encodeCursor("r", Float.toString(last.getFloat("rank")), last.getUUID("id").toString())
        : Jobs.encodeCursor("t", last.getOffsetDateTime("created_at").toInstant().toString(), last.getUUID("id").toString());
  }
}
