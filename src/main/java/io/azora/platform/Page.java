package io.azora.platform;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;

import java.util.function.Function;

/**
 * One page of a keyset-paged list as the API answers it, {@code {items, nextCursor}}: the query asked for one
 * row more than the page holds, so a next page exists exactly when that row came back.
 */
public final class Page {

  private Page() {
  }

  /** {@code rows} (up to {@code size + 1} of them) as a page; the cursor is made from the page's last row. */
  public static JsonObject of(Iterable<Row> rows, int size, Function<Row, JsonObject> item, Function<Row, String> cursor) {
    JsonArray items = new JsonArray();
    String next = null;
    int n = 0;
    for (Row row : rows) {
      if (++n > size) {
        break;
      }
      items.add(item.apply(row));
      if (n == size) {
        next = cursor.apply(row);
      }
    }
    return new JsonObject().put("items", items).put("nextCursor", n > size ? next : null);
  }
}
