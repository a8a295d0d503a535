package io.azora.education.wallbreakers;

import io.azora.finance.FinanceVerticle;

/** Breaks the wall on purpose (ArchitectureTest shows the rule catches it): a domain using another's internals. */
public final class EducationReachingIntoFinance {

  public Object internals() {
    return new FinanceVerticle();
  }
}
