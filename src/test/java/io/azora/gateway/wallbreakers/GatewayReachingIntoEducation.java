package io.azora.gateway.wallbreakers;

import io.azora.education.EducationVerticle;

/** Breaks the wall on purpose (ArchitectureTest shows the rule catches it): the gateway using a domain's internals. */
public final class GatewayReachingIntoEducation {

  public Object internals() {
    return new EducationVerticle();
  }
}
