package io.azora.gateway;

import io.azora.gateway.Api.Access;
import io.azora.platform.AzoraConfig;
import io.azora.platform.Nexus;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * API.md's Operations: events a consumer parked after its retries, from every domain's own database
 * (each answers for its consumers), and a retry of one of them. A domain that is down or consumes nothing
 * lists nothing. An admin may also rebuild a consumer's read model from its producer's feed.
 */
final class OperationsRoutes {

  private final Api api;
  private final List<String> domains;

  OperationsRoutes(Api api) {
    this.api = api;
    this.domains = api.config().domains().stream().map(AzoraConfig.Domain::name).toList();
  }

  void mount(Router r) {
    r.get("/api/admin/nexus/parked").handler(api.guard(Access.ADMIN)).handler(api.validate("parkedEvents"))
        .handler(this::list);
    r.post("/api/admin/nexus/parked/:id/retry").handler(api.guard(Access.ADMIN)).handler(api.validate("retryParkedEvent"))
        .handler(this::retry);
    r.post("/api/admin/nexus/consumers/:consumer/rebuild").handler(api.guard(Access.ADMIN))
        .handler(api.validate("rebuildReadModel")).handler(this::rebuild);
  }

  private DeliveryOptions delivery() {
    return new DeliveryOptions().setSendTimeout(Math.min(api.config().http().serviceTimeoutMs(), 5_000));
  }

  private void list(RoutingContext ctx) {
    int limit = Api.limit(ctx);
    List<Future<JsonArray>> answers = new ArrayList<>();
    for (String domain : domains) {
      answers.add(api.vertx().eventBus().<JsonObject>request(Nexus.parkedAddress(domain),
              new JsonObject().put("action", "list").put("limit", limit), delivery())
          .map(reply -> reply.body().getJsonArray("items"))
          .otherwise(new JsonArray()));
    }
    Future.join(answers).onComplete(ar -> {
      List<JsonObject> items = new ArrayList<>();
      answers.forEach(f -> f.result().forEach(i -> items.add((JsonObject) i)));
      items.sort(Comparator.comparing((JsonObject i) -> i.getString("parkedAt")).reversed());
      Api.send(ctx, 200, new JsonObject().put("items", new JsonArray(items.subList(0, Math.min(limit, items.size())))));
    });
  }

  /** Asks each domain in turn; the one that has the parked event retries it (202 with the outcome). */
  private void retry(RoutingContext ctx) {
    askInTurn(ctx, 0, new JsonObject().put("action", "retry").put("id", ctx.pathParam("id")),
        "No parked event with this id");
  }

  /** Asks each domain in turn; the one whose consumer group it is rebuilds it (202: the cursor rewound). */
  private void rebuild(RoutingContext ctx) {
    askInTurn(ctx, 0, new JsonObject().put("action", "rebuild").put("consumer", ctx.pathParam("consumer")),
        "No consumer with this name keeps a rebuildable read model");
  }

  /** The first domain that answers {@code request} answers the client (202); 404 when none does. */
  private void askInTurn(RoutingContext ctx, int index, JsonObject request, String notFound) {
    if (index == domains.size()) {
      ProblemJson.send(ctx, 404, "not_found", notFound);
      return;
    }
    api.vertx().eventBus().<JsonObject>request(Nexus.parkedAddress(domains.get(index)), request, delivery())
        .onSuccess(reply -> Api.send(ctx, 202, reply.body()))
        .onFailure(err -> {
          if (err instanceof ReplyException re && re.failureCode() == 500) {
            ProblemJson.fail(ctx, err);
          } else {
            askInTurn(ctx, index + 1, request, notFound);  // not there, or the domain consumes nothing
          }
        });
  }
}
