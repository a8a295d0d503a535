package io.azora;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.azora.platform.EventType;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The event table in docs/ARCHITECTURE.md is the catalogues' table: every event a domain declares (in its
 * {@code *Events} class) has its row with its producer, and no row names an event nobody declares.
 */
class EventCatalogueTest {

  @Test
  void theArchitectureTableListsEveryDeclaredEventWithItsProducer() throws Exception {
    Map<String, EventType> declared = new HashMap<>();
    for (JavaClass catalogue : new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("io.azora")) {
      if (!catalogue.getSimpleName().endsWith("Events") || !catalogue.tryGetField("ALL").isPresent()) {
        continue;
      }
      @SuppressWarnings("unchecked")
      List<EventType> all = (List<EventType>) catalogue.reflect().getField("ALL").get(null);
      for (EventType type : all) {
        assertEquals(catalogue.getPackageName().substring("io.azora.".length()), type.source(),
            type.name() + " is declared by the domain that produces it");
        assertTrue(declared.put(type.name(), type) == null, type.name() + " is declared once");
      }
    }
    assertTrue(declared.size() >= 10, "the catalogues were found: " + declared.keySet());

    Map<String, String> rows = new HashMap<>();
    List<String> unknown = new ArrayList<>();
    for (String line : Files.readAllLines(Path.of("docs/ARCHITECTURE.md"))) {
      String[] cells = line.split("\\|");
      if (cells.length >= 5 && cells[1].trim().matches("`[a-z]+\\.[a-z.]+`")) {
        String name = cells[1].trim().replace("`", "");
        if (!declared.containsKey(name)) {
          unknown.add(name);
        }
        rows.put(name, cells[2].trim());
      }
    }
    assertTrue(unknown.isEmpty(), "rows for events no catalogue declares: " + unknown);
    Set<String> missing = new HashSet<>(declared.keySet());
    missing.removeAll(rows.keySet());
    assertTrue(missing.isEmpty(), "declared events without a row in docs/ARCHITECTURE.md: " + missing);
    declared.forEach((name, type) -> assertEquals(type.source(), rows.get(name), "the producer of " + name));
    assertFalse(rows.isEmpty());
  }
}
