package io.azora.gateway;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.azora.platform.Numbers;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;

/**
 * The Numbers rule at the edge, for every JSON body: each number is checked on its text, in one streaming
 * pass before anything parses the body into values (Vert.x reads {@code 1e999999999} as Infinity, and
 * whatever expands it later runs out of heap). Numbers in strings are checked where they are read.
 */
final class BodyNumbers {

  private static final JsonFactory JSON = new JsonFactory();

  private BodyNumbers() {
  }

  /** Null when every number in {@code body} is within the bounds (or it is not JSON: the parser says so next); else the field errors. */
  static JsonArray problems(Buffer body) {
    try (JsonParser parser = JSON.createParser(body.getBytes())) {
      for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
        if (token == JsonToken.VALUE_NUMBER_INT || token == JsonToken.VALUE_NUMBER_FLOAT) {
          String problem = Numbers.problem(parser.getText());
          if (problem != null) {
            return new JsonArray().add(new JsonObject().put("field", field(parser)).put("message", problem));
          }
        }
      }
      return null;
    } catch (IOException e) {
      return null;  // malformed JSON, or a number longer than the parser takes: the decoder that follows answers 400
    }
  }

  /** The number's location as the validator names fields: {@code questions.0.answer}. */
  private static String field(JsonParser parser) {
    String pointer = parser.getParsingContext().pathAsPointer().toString();
    return pointer.isEmpty() ? "body" : pointer.substring(1).replace('/', '.');
  }
}
