package io.azora.tutoring;

import io.azora.auth.AuthEvents;
import io.azora.education.EducationEvents;
import io.azora.marketplace.MarketplaceEvents;
import io.azora.platform.AzoraConfig;
import io.azora.platform.CallerAssertion;
import io.azora.platform.Databases;
import io.azora.platform.DomainEvent;
import io.azora.platform.Nexus;
import io.azora.platform.NexusSubscription;
import io.azora.platform.Periodic;
import io.azora.platform.Services;
import io.azora.platform.StopList;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;

import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * Wires tutoring: its database (azora_tutoring) and migrations, the read models it keeps from other domains'
 * events (who may ask about which course, the lessons' passages, people's names), the notifications it makes of
 * them, Elara's answers on the bus, the live rooms' chat, the service.
 */
public class TutoringVerticle extends VerticleBase {

  static final String SOURCE = "tutoring";
  private static final long PRUNE_EVERY_MS = 3_600_000;

  private Pool pool;
  private final StopList running = new StopList();

  @Override
  public Future<?> start() {
    AzoraConfig config = AzoraConfig.from(config());
    TutoringConfig tutor = TutoringConfig.from(config());
    return Databases.open(vertx, config.database(), SOURCE).compose(p -> {
      pool = p;
      Readers readers = new Readers(pool);
      ChatModel model = running.add(new ChatModel(vertx, tutor.llm()), ChatModel::close);
      Elara elara = new Elara(pool, readers, new Passages(pool), new AssessmentPrompts(pool), model,
          tutor.historyTurns());
      Rooms rooms = new Rooms(vertx, pool);
      running.add(Periodic.every(vertx, Duration.ofMillis(PRUNE_EVERY_MS), () -> rooms.prune(tutor.roomHistoryDays()),
          "Pruning old room history failed"), Periodic::stop);
      return Future.all(
              Nexus.subscribe(vertx, pool, SOURCE, Set.of(EducationEvents.LESSON_ADDED, EducationEvents.COURSE_PUBLISHED,
                  EducationEvents.COURSE_ENROLLED, EducationEvents.ASSESSMENT_ADDED), this::onEducationEvent),
              Nexus.subscribe(vertx, pool, SOURCE, Notifications.FROM_FINANCE,
                  (tx, event) -> Notifications.onFinanceEvent(vertx, tx, event)),
              Nexus.subscribe(vertx, pool, SOURCE, Set.of(AuthEvents.USER_REGISTERED), Rooms::onRegistered),
              Nexus.subscribe(vertx, pool, SOURCE, Set.of(MarketplaceEvents.JOB_APPLIED, MarketplaceEvents.CONTRACT_FUNDED,
                  MarketplaceEvents.MILESTONE_RELEASED, MarketplaceEvents.CONTRACT_DISPUTED,
                  MarketplaceEvents.CONTRACT_RESOLVED, MarketplaceEvents.REVIEW_POSTED), (tx, event) -> Notifications.onMarketplaceEvent(vertx, tx, event)))
          .compose(subscribed -> {
            List<NexusSubscription> subscriptions = subscribed.list();
            subscriptions.forEach(s -> running.add(s, NexusSubscription::stop));
            running.add(Nexus.parkedEvents(vertx, pool, SOURCE, subscriptions), MessageConsumer::unregister);
            MessageConsumer<JsonObject> asks = running.add(new AskStream(vertx, elara, tutor.maxQuestionChars()).listen(),
                MessageConsumer::unregister);
            return Future.all(asks.completion(), Services.serve(vertx, running, TutoringService.ADDRESS,
                TutoringService.class, new TutoringServiceImpl(pool, rooms, new Notifications(pool)), SOURCE, pool,
                // Each call names its caller: only the one the gateway verified (notifications, rooms are a user's).
                CallerAssertion.Rule.CALLER_ONLY))
                .mapEmpty();
          });
    });
  }

  /** Education's events, kept as tutoring's read models (lessons' passages, courses, enrolments) and notifications. */
  private Future<Void> onEducationEvent(SqlClient tx, DomainEvent event) {
    if (EducationEvents.LESSON_ADDED.name().equals(event.type())) {
      return Readers.onCourse(tx, event, false).compose(v -> Passages.onLessonAdded(tx, event));
    }
    if (EducationEvents.COURSE_PUBLISHED.name().equals(event.type())) {
      return Readers.onCourse(tx, event, true);
    }
    if (EducationEvents.ASSESSMENT_ADDED.name().equals(event.type())) {
      return AssessmentPrompts.onAdded(tx, event);
    }
    return Readers.onEnrolled(tx, event).compose(v -> Notifications.onEnrolled(vertx, tx, event));
  }

  @Override
  public Future<?> stop() {
    return running.stopAll().eventually(() -> pool == null ? Future.succeededFuture() : pool.close());
  }
}
