package org.apogee.filters;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * The rules of the WSAPI contract are written once, as the {@code --##} comments beside the checks
 * of {@code wsapi/filters/lint.lua}; docs/filters.md must list each of them word for word, so the
 * prose cannot drift from what is checked.
 */
class LintRulesDocumentedTest {

    static List<String> rules(Path lint) throws Exception {
        List<String> rules = new ArrayList<>();
        StringBuilder current = null;
        for (String line : Files.readAllLines(lint)) {
            String t = line.strip();
            if (t.startsWith("--##")) {
                String text = t.substring(4).strip();
                if (current == null) current = new StringBuilder(text);
                else current.append(' ').append(text);
            } else if (current != null) {
                rules.add(current.toString());
                current = null;
            }
        }
        return rules;
    }

    @Test
    void everyRuleOfTheLintIsInTheDocs() throws Exception {
        List<String> rules = rules(Path.of("src/main/lua/wsapi/filters/lint.lua"));
        assertFalse(rules.isEmpty());
        String docs = Files.readString(Path.of("..", "docs", "filters.md")).replaceAll("\\s+", " ");
        List<String> missing = rules.stream().filter(r -> !docs.contains(r)).toList();
        assertTrue(missing.isEmpty(), "docs/filters.md does not list these lint rules (copy them from the --## lines of lint.lua):\n"
                + String.join("\n", missing));
    }
}
