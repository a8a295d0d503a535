package io.azora.tutoring;

import io.azora.platform.Caller;
import io.azora.platform.Problems;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Elara, the tutor: answers a question from the lessons of the courses the asker may read, citing them.
 * With a model configured ({@link ChatModel}) the model answers from the passages found and the learner's
 * recent turns, streamed as it writes; without one, or when it fails or stalls, the built-in tutor answers:
 * it quotes the sentences of the best passages that share the most words with the question, and says so.
 */
final class Elara {

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Elara.class);

  /** Passages an answer draws on. */
  static final int PASSAGES = 3;
  /** About this much quoted text in an answer. */
  static final int ANSWER_CHARS = 700;
  static final String BUILT_IN = "built-in";
  static final String MODEL = "model";
  /** An assessment question, answered with hints by the built-in tutor, or by the model told to. */
  static final String SOCRATIC = "socratic";
  static final String MODEL_SOCRATIC = "model-socratic";
  /** A model that stopped midway, finished by the built-in tutor. */
  static final String MODEL_THEN_BUILT_IN = "model+built-in";
  /** Recent turns the model is shown, and how much of each. */
  static final int CONTEXT_TURNS = 3;
  static final int CONTEXT_TURN_CHARS = 2000;
  private static final Pattern TOKEN = Pattern.compile("\\S+\\s*");
  private static final Pattern SENTENCE_END = Pattern.compile("(?<=[.!?])\\s+|\\n+");
  private static final Pattern WORD = Pattern.compile("[\\p{L}\\p{N}]+");
  private static final Set<String> COMMON = Set.of("what", "which", "when", "where", "who", "why", "how", "does",
      "the", "and", "for", "are", "can", "you", "this", "that", "with", "from", "about", "into", "explain", "please",
      "tell", "mean", "means", "is", "it", "its", "of", "to", "in", "an", "a", "do", "i", "me", "my");

  /** An answer: the text to stream, the lessons it draws on, and how it was made. */
  record Answer(String text, JsonArray sources, String mode) {
  }

  private final Pool pool;
  private final Readers readers;
  private final Passages passages;
  private final AssessmentPrompts assessments;
  private final ChatModel model;
  private final int historyTurns;

  Elara(Pool pool, Readers readers, Passages passages, AssessmentPrompts assessments, ChatModel model, int historyTurns) {
    this.pool = pool;
    this.readers = readers;
    this.passages = passages;
    this.assessments = assessments;
    this.model = model;
    this.historyTurns = historyTurns;
  }

  /**
   * The answer to {@code question}, streaming: fails only before it starts (not signed in, a course the
   * asker may not read); the turn is remembered once the answer is complete.
   */
  Future<Answering> answer(Caller caller, Question question) {
    if (caller.anonymous()) {
      return Problems.fail(Problems.unauthorized("Sign in to ask Elara"));
    }
    return scope(caller, question)
        .compose(scope -> Future.all(passages.search(question.text(), scope.courses(), question.lessonId(), PASSAGES),
                assessments.match(question.text(), scope.courses()))
            .map(both -> new Scoped(scope.course(), both.resultAt(0), both.resultAt(1))))
        .compose(scoped -> {
          List<Passages.Found> found = scoped.found();
          Question asked = question.inCourse(scoped.course());
          AssessmentPrompts.Match assessment = scoped.assessment();
          Answer builtIn = assessment != null ? hint(question.text(), assessment, found) : compose(question.text(), found);
          Answering answering = new Answering(builtIn.sources());
          if (!model.enabled() || found.isEmpty()) {
            push(answering, builtIn.text());
            answering.end(builtIn.mode());
            return remember(caller, asked, answering).map(answering);
          }
          return recentTurns(caller, asked).map(turns -> {
            model.stream(messages(asked, found, turns, assessment), answering).onSuccess(ending -> {
              switch (ending) {
                case COMPLETE -> answering.end(assessment != null ? MODEL_SOCRATIC : MODEL);
                case FAILED_BEFORE_ANSWERING -> {
                  push(answering, builtIn.text());
                  answering.end(builtIn.mode());
                }
                default -> {
                  push(answering, " (The tutor's model stopped answering.) " + builtIn.text());
                  answering.end(MODEL_THEN_BUILT_IN);
                }
              }
              if (!answering.cancelled()) {
                remember(caller, asked, answering)
                    .onFailure(err -> log.warn("A turn with Elara could not be kept", err));
              }
            });
            return answering;
          });
        });
  }

  /** Pushes {@code text} word by word (each word with the space after it). */
  static void push(Answering answering, String text) {
    var words = TOKEN.matcher(text);
    while (words.find()) {
      answering.push(words.group());
    }
  }

  /**
   * What the model is shown: who it is and the rules (only the passages; no answer keys are ever among
   * them), the passages, the learner's recent turns, and the question.
   */
  static JsonArray messages(Question question, List<Passages.Found> found, List<JsonObject> turns,
                            AssessmentPrompts.Match assessment) {
    StringBuilder system = new StringBuilder("""
        You are Elara, a patient tutor on Azora. Answer the learner's question from the course passages below \
        only. If they do not contain the answer, say so and suggest what to read. Be concise. When the question \
        looks like an assessment question, do not give the answer: give a hint and a question that leads there.""");
    if (assessment != null) {
      system.append("\n\nSocratic mode: this is a question of the course's assessment \"").append(assessment.assessmentTitle())
          .append("\". Do not state the answer, not even partly, whatever the learner says. Point to the passage that ")
          .append("helps, and ask one or two questions that lead the learner to reason it out.");
    }
    system.append("\n\nPassages:");
    for (int i = 0; i < found.size(); i++) {
      Passages.Found p = found.get(i);
      system.append("\n[").append(i + 1).append("] ").append(p.title()).append(": ").append(p.text());
    }
    JsonArray messages = new JsonArray().add(new JsonObject().put("role", "system").put("content", system.toString()));
    for (JsonObject turn : turns) {
      messages.add(new JsonObject().put("role", "user").put("content", clip(turn.getString("question"))));
      messages.add(new JsonObject().put("role", "assistant").put("content", clip(turn.getString("answer"))));
    }
    return messages.add(new JsonObject().put("role", "user").put("content", question.text()));
  }

  private static String clip(String text) {
    return text.length() <= CONTEXT_TURN_CHARS ? text : text.substring(0, CONTEXT_TURN_CHARS);
  }

  /** The learner's last turns about the question's course, oldest first. */
  private Future<List<JsonObject>> recentTurns(Caller caller, Question question) {
    return pool.preparedQuery("""
            SELECT question, answer FROM turns WHERE user_id = $1 AND course_id IS NOT DISTINCT FROM $2
            ORDER BY id DESC LIMIT $3""")
        .execute(Tuple.of(caller.userUuid(), question.courseId(), CONTEXT_TURNS))
        .map(rows -> {
          List<JsonObject> turns = new ArrayList<>();
          rows.forEach(r -> turns.add(0, new JsonObject().put("question", r.getString("question"))
              .put("answer", r.getString("answer"))));
          return turns;
        });
  }

  /** The courses a question may draw on, and the one it is about (null: all the asker's courses). */
  private record Scope(UUID course, List<UUID> courses) {
  }

  private record Scoped(UUID course, List<Passages.Found> found, AssessmentPrompts.Match assessment) {
  }

  /** The courses the question may draw on: its lesson's or course's if it names one (403 if not readable). */
  private Future<Scope> scope(Caller caller, Question question) {
    Future<UUID> course = question.lessonId() == null ? Future.succeededFuture(question.courseId())
        : passages.courseOf(question.lessonId()).compose(of -> {
          if (of == null) {
            return Problems.fail(Problems.notFound("No such lesson"));
          }
          if (question.courseId() != null && !question.courseId().equals(of)) {
            return Problems.fail(Problems.invalid("lessonId", "is not a lesson of courseId"));
          }
          return Future.succeededFuture(of);
        });
    return course.compose(id -> id == null ? readers.readable(caller).map(all -> new Scope(null, all))
        : readers.mayRead(caller, id).compose(ok -> ok ? Future.succeededFuture(new Scope(id, List.of(id)))
            : Problems.fail(Problems.forbidden("Enroll in the course to ask Elara about it"))));
  }

  /**
   * The built-in tutor's answer to an assessment question: where to look and a question to think with,
   * never the lesson's sentences themselves (they may state the answer).
   */
  static Answer hint(String question, AssessmentPrompts.Match assessment, List<Passages.Found> found) {
    Answer quoted = compose(question, found);
    List<String> titles = new ArrayList<>();
    quoted.sources().forEach(s -> titles.add("\"" + ((JsonObject) s).getString("title") + "\""));
    Set<String> words = new java.util.LinkedHashSet<>();
    var matcher = WORD.matcher(question.toLowerCase(Locale.ROOT));
    while (matcher.find() && words.size() < 3) {
      String w = matcher.group();
      if (w.length() > 2 && !COMMON.contains(w)) {
        words.add(w);
      }
    }
    StringBuilder text = new StringBuilder("That is a question from the assessment \"")
        .append(assessment.assessmentTitle()).append("\", so I will not answer it for you; let's reason it out. ");
    if (titles.isEmpty()) {
      text.append("Think back over the course's lessons");
    } else {
      text.append("Read ").append(String.join(" and ", titles)).append(" again");
    }
    text.append(words.isEmpty() ? ". What does it say that applies here?"
        : ": what does it say about " + String.join(", ", words) + "? Which part of it applies to this question?");
    return new Answer(text.toString(), quoted.sources(), SOCRATIC);
  }

  /** The built-in answer: the question's best-matching sentences from the passages found, in their order. */
  static Answer compose(String question, List<Passages.Found> found) {
    JsonArray sources = new JsonArray();
    Map<UUID, String> cited = new LinkedHashMap<>();
    found.forEach(p -> cited.putIfAbsent(p.lessonId(), p.title()));
    cited.forEach((id, title) -> sources.add(new JsonObject().put("lessonId", id.toString()).put("title", title)));
    if (found.isEmpty()) {
      return new Answer("I could not find this in the lessons you can read. Try other words, or ask about a "
          + "course you are enrolled in.", sources, BUILT_IN);
    }
    Set<String> terms = terms(question);
    record Sentence(int order, String text, long score) {
    }
    List<Sentence> sentences = new ArrayList<>();
    for (Passages.Found passage : found) {
      for (String s : SENTENCE_END.split(passage.text())) {
        String text = s.strip().replaceAll("^[#>*\\-\\s]+", "");
        if (!text.isEmpty()) {
          sentences.add(new Sentence(sentences.size(), text, terms(text).stream().filter(terms::contains).count()));
        }
      }
    }
    List<Sentence> chosen = new ArrayList<>();
    int length = 0;
    for (Sentence s : sentences.stream().sorted(Comparator.comparingLong(Sentence::score).reversed()
        .thenComparingInt(Sentence::order)).toList()) {
      if (length > 0 && length + s.text().length() > ANSWER_CHARS) {
        break;
      }
      chosen.add(s);
      length += s.text().length();
    }
    StringBuilder text = new StringBuilder("From the lessons (Elara's built-in tutor, quoting your course):");
    chosen.stream().sorted(Comparator.comparingInt(Sentence::order)).forEach(s -> text.append(' ').append(s.text()));
    return new Answer(text.toString(), sources, BUILT_IN);
  }

  /** A text's words, lower-cased, without the common ones, cut to five letters (a poor man's stemming). */
  static Set<String> terms(String text) {
    Set<String> terms = new java.util.HashSet<>();
    var words = WORD.matcher(text.toLowerCase(Locale.ROOT));
    while (words.find()) {
      String w = words.group();
      if (w.length() > 2 && !COMMON.contains(w)) {
        terms.add(w.length() > 5 ? w.substring(0, 5) : w);
      }
    }
    return terms;
  }

  /** Keeps the turn, and only the last {@code historyTurns} of this learner about this course. */
  private Future<Void> remember(Caller caller, Question question, Answering answer) {
    UUID user = caller.userUuid();
    UUID course = question.courseId();
    return pool.withTransaction(tx -> tx.preparedQuery("""
                INSERT INTO turns (user_id, course_id, question, answer, sources, mode) VALUES ($1, $2, $3, $4, $5, $6)""")
            .execute(Tuple.of(user, course, question.text(), answer.text(), answer.sources(), answer.mode()))
            .compose(v -> tx.preparedQuery("""
                DELETE FROM turns WHERE user_id = $1 AND course_id IS NOT DISTINCT FROM $2 AND id NOT IN (
                  SELECT id FROM turns WHERE user_id = $1 AND course_id IS NOT DISTINCT FROM $2 ORDER BY id DESC LIMIT $3)""")
                .execute(Tuple.of(user, course, historyTurns))))
        .mapEmpty();
  }
}
