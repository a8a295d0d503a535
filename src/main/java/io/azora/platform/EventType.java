package io.azora.platform;

import java.util.List;

/**
 * A kind of Nexus event: its name (e.g. {@code user.registered}), the domain that produces it, the version
 * of its payload, and the payload's fields. Each domain declares the events it produces in one class beside
 * its service interface ({@code AuthEvents}, {@code EducationEvents}, ...); producers emit and consumers
 * subscribe by these constants, never by spelling a name. A change to a payload that a consumer could
 * misread raises the version.
 *
 * @param source  the producing domain (its outbox, its relay, its feed)
 * @param name    the event's name, as in the envelope's {@code type}
 * @param version the payload's version, as in the envelope's {@code version}
 * @param fields  the payload's fields (a field may be null or absent when the description says so)
 * @param meaning what happened, in a sentence
 */
public record EventType(String source, String name, int version, List<String> fields, String meaning) {

  public EventType {
    fields = List.copyOf(fields);
  }

  public static EventType of(String source, String name, int version, String meaning, String... fields) {
    return new EventType(source, name, version, List.of(fields), meaning);
  }

  @Override
  public String toString() {
    return name;
  }
}
