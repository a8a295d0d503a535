package io.azora.tutoring;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonArray;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * An answer arriving piece by piece, from a model or the built-in tutor: its producer pushes tokens and
 * ends it; its reader takes them one at a time ({@link #next}). Used on one event loop (the tutoring
 * verticle's), so it needs no locks. Tokens wait here while the asker is slow; a producer that can pause
 * is asked to once {@link #HIGH_WATER} are waiting.
 */
final class Answering {

  static final int HIGH_WATER = 256;

  private final JsonArray sources;
  private final Deque<String> tokens = new ArrayDeque<>();
  private final StringBuilder text = new StringBuilder();
  private Promise<String> waiting;
  private boolean ended;
  private String mode;
  private Runnable pause = () -> { };
  private Runnable resume = () -> { };
  private Runnable cancel = () -> { };
  private boolean paused;
  private boolean cancelled;

  Answering(JsonArray sources) {
    this.sources = sources;
  }

  JsonArray sources() {
    return sources;
  }

  /** How the answer was made: by a model, by the built-in tutor, or both (a model that stopped midway). */
  String mode() {
    return mode;
  }

  /** The whole text so far. */
  String text() {
    return text.toString();
  }

  /** How the producer is paused while too many tokens wait, resumed, and stopped when nobody reads. */
  void flowControl(Runnable pause, Runnable resume, Runnable cancel) {
    this.pause = pause;
    this.resume = resume;
    this.cancel = cancel;
  }

  /** The asker is gone: the producer stops, and the answer is not kept. */
  void cancel() {
    if (!cancelled) {
      cancelled = true;
      tokens.clear();
      cancel.run();
      end(mode == null ? "cancelled" : mode);
    }
  }

  boolean cancelled() {
    return cancelled;
  }

  void push(String token) {
    if (ended || cancelled || token.isEmpty()) {
      return;
    }
    text.append(token);
    if (waiting != null) {
      Promise<String> p = waiting;
      waiting = null;
      p.complete(token);
      return;
    }
    tokens.add(token);
    if (tokens.size() >= HIGH_WATER && !paused) {
      paused = true;
      pause.run();
    }
  }

  void end(String mode) {
    if (ended) {
      return;
    }
    this.mode = mode;
    ended = true;
    if (waiting != null) {
      Promise<String> p = waiting;
      waiting = null;
      p.complete(null);
    }
  }

  /** The next token, or null once the answer is complete. */
  Future<String> next() {
    String token = tokens.poll();
    if (token != null) {
      if (paused && tokens.size() < HIGH_WATER / 4) {
        paused = false;
        resume.run();
      }
      return Future.succeededFuture(token);
    }
    if (ended) {
      return Future.succeededFuture(null);
    }
    waiting = Promise.promise();
    return waiting.future();
  }
}
