package io.azora.platform;

import ch.qos.logback.classic.spi.ILoggingEvent;
import com.fasterxml.jackson.core.JsonGenerator;
import net.logstash.logback.composite.AbstractFieldJsonProvider;

import java.io.IOException;

/** Adds the request id (and traceparent) of the Vert.x context that logged the line to every JSON log line. */
public class RequestIdJsonProvider extends AbstractFieldJsonProvider<ILoggingEvent> {

  @Override
  public void writeTo(JsonGenerator generator, ILoggingEvent event) throws IOException {
    String id = RequestContext.requestId();
    if (id != null) {
      generator.writeStringField("requestId", id);
    }
    String tp = RequestContext.traceparent();
    if (tp != null) {
      generator.writeStringField("traceparent", tp);
    }
  }
}
