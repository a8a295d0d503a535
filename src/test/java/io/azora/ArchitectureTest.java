package io.azora;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import io.vertx.codegen.annotations.DataObject;
import io.vertx.codegen.annotations.ProxyGen;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The wall between the parts, enforced by the build. A domain reaches another only through its public
 * contract (its @ProxyGen service interfaces, its @DataObjects, its event catalogue); so does the gateway;
 * {@code platform} knows no domain; Vert.x internals are used in {@code platform} alone. The domains are
 * verticles.json's, so a new domain is walled in as soon as it is declared. Each rule is also shown to fail
 * on classes that break it (the fixtures under {@code io.azora.*.wallbreakers}).
 */
class ArchitectureTest {

  static final JavaClasses MAIN = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("io.azora");

  /** The domains verticles.json declares. */
  static List<String> domains() throws Exception {
    List<String> names = new ArrayList<>();
    new JsonObject(Files.readString(Path.of("verticles.json"))).getJsonArray("verticles").forEach(v -> {
      JsonObject verticle = (JsonObject) v;
      if (verticle.getBoolean("domain", false)) {
        names.add(verticle.getString("name"));
      }
    });
    return names;
  }

  static String[] packagesOf(List<String> domains) {
    return domains.stream().map(d -> "io.azora." + d + "..").toArray(String[]::new);
  }

  /** What a domain offers others: its service interfaces, data objects and event catalogue. */
  static final DescribedPredicate<JavaClass> CONTRACT = new DescribedPredicate<>(
      "a public contract (a @ProxyGen service interface, a @DataObject, an event catalogue)") {
    @Override
    public boolean test(JavaClass c) {
      JavaClass top = c;
      while (top.getEnclosingClass().isPresent()) {
        top = top.getEnclosingClass().get();
      }
      return top.isAnnotatedWith(ProxyGen.class) || top.isAnnotatedWith(DataObject.class)
          || top.getSimpleName().endsWith("Events");
    }
  };

  static DescribedPredicate<JavaClass> insideAnyOf(String... packages) {
    return JavaClass.Predicates.resideInAnyPackage(packages);
  }

  /** Each domain reaches other domains (and the gateway) only through their contracts. */
  static List<ArchRule> domainRules() throws Exception {
    List<String> domains = domains();
    List<ArchRule> rules = new ArrayList<>();
    for (String domain : domains) {
      List<String> others = new ArrayList<>(domains);
      others.remove(domain);
      rules.add(noClasses().that().resideInAPackage("io.azora." + domain + "..")
          .should().dependOnClassesThat(insideAnyOf(packagesOf(others)).and(DescribedPredicate.not(CONTRACT)))
          .orShould().dependOnClassesThat().resideInAPackage("io.azora.gateway..")
          .as("the " + domain + " domain uses other domains only through their contracts, and never the gateway")
          .allowEmptyShould(true));
    }
    return rules;
  }

  static ArchRule gatewayRule() throws Exception {
    return noClasses().that().resideInAPackage("io.azora.gateway..")
        .should().dependOnClassesThat(insideAnyOf(packagesOf(domains())).and(DescribedPredicate.not(CONTRACT)))
        .as("the gateway uses domains only through their contracts");
  }

  static ArchRule platformRule() throws Exception {
    List<String> parts = new ArrayList<>(domains());
    parts.add("gateway");
    return noClasses().that().resideInAPackage("io.azora.platform..")
        .should().dependOnClassesThat().resideInAnyPackage(packagesOf(parts))
        .as("platform knows no domain and not the gateway");
  }

  static ArchRule internalsRule() {
    return noClasses().that().resideOutsideOfPackage("io.azora.platform..")
        // The service proxies codegen writes use its own helpers; they are not ours to wall.
        .and().haveSimpleNameNotEndingWith("VertxEBProxy").and().haveSimpleNameNotEndingWith("VertxProxyHandler")
        .should().dependOnClassesThat().resideInAnyPackage("io.vertx..impl..", "io.vertx..internal..")
        .as("Vert.x internals are used in platform alone");
  }

  @Test
  void theCodeKeepsToTheWall() throws Exception {
    for (ArchRule rule : domainRules()) {
      rule.check(MAIN);
    }
    gatewayRule().check(MAIN);
    platformRule().check(MAIN);
    internalsRule().check(MAIN);
  }

  @Test
  void eachRuleCatchesAClassThatBreaksIt() throws Exception {
    JavaClasses breakers = new ClassFileImporter().importPackages("io.azora.gateway.wallbreakers",
        "io.azora.platform.wallbreakers", "io.azora.education.wallbreakers");
    assertFalse(breakers.isEmpty());
    assertViolated(gatewayRule(), breakers, "GatewayReachingIntoEducation");
    assertViolated(platformRule(), breakers, "PlatformKnowingAuth");
    assertViolated(internalsRule(), breakers, "GatewayUsingVertxInternals");
    boolean caught = false;
    for (ArchRule rule : domainRules()) {
      EvaluationResult result = rule.evaluate(breakers);
      caught |= result.getFailureReport().getDetails().stream().anyMatch(d -> d.contains("EducationReachingIntoFinance"));
    }
    assertTrue(caught, "a domain importing another's internals is caught");
  }

  static void assertViolated(ArchRule rule, JavaClasses classes, String breaker) {
    EvaluationResult result = rule.evaluate(classes);
    assertTrue(result.getFailureReport().getDetails().stream().anyMatch(d -> d.contains(breaker)),
        () -> rule.getDescription() + " should catch " + breaker + ": " + result.getFailureReport());
  }
}
