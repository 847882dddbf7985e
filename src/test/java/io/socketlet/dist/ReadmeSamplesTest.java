package io.socketlet.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README's "Add it to your project" snippets are the sample projects that the integration
 * tests build and run ({@link SampleProjects}): each snippet marked {@code <!-- sample: path -->}
 * is that whole file, each marked {@code <!-- sample excerpt: path -->} is a part of it, and the
 * coordinates shown are this build's.
 */
class ReadmeSamplesTest {

    private static final Pattern SNIPPET = Pattern.compile(
            "<!-- sample( excerpt)?: (\\S+) -->\\n```[a-z]*\\n(.*?)```", Pattern.DOTALL);

    private record Snippet(boolean excerpt, String path, String text) {
    }

    @Test
    void everyMarkedSnippetIsTheSampleFile() throws IOException {
        List<Snippet> snippets = snippets();
        assertTrue(snippets.size() >= 6, "the README's sample snippets: " + snippets);
        for (Snippet s : snippets) {
            Path file = Path.of(s.path());
            assertTrue(Files.isRegularFile(file), "README names a sample file that does not exist: " + s.path());
            String content = Files.readString(file);
            if (s.excerpt()) {
                assertTrue(content.contains(s.text()), "README's excerpt of " + s.path() + " is not in that file:\n" + s.text());
            } else {
                assertEquals(content.strip(), s.text().strip(), "README's copy of " + s.path() + " differs from the file");
            }
        }
    }

    @Test
    void theCoordinatesAreThisBuildsVersion() throws IOException {
        String pom = Files.readString(Path.of("pom.xml"));
        Matcher version = Pattern.compile("<artifactId>socketlet</artifactId>\\s*<version>([^<]+)</version>").matcher(pom);
        assertTrue(version.find(), "the project's version in pom.xml");
        String readme = Files.readString(Path.of("README.md"));
        assertTrue(readme.contains("<version>" + version.group(1) + "</version>"), "the Maven snippet's version");
        assertTrue(readme.contains("implementation(\"io.socketlet:socketlet:" + version.group(1) + "\")"), "the Gradle line");
    }

    @Test
    void bothSamplesCarryTheSameServlet() throws IOException {
        assertEquals(Files.readString(Path.of("src/samples/war/src/main/java/com/example/echo/EchoServlet.java")),
                Files.readString(Path.of("src/samples/spring-boot/src/main/java/com/example/echo/EchoServlet.java")),
                "the README shows one EchoServlet for both samples");
    }

    private static List<Snippet> snippets() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        List<Snippet> found = new ArrayList<>();
        Matcher m = SNIPPET.matcher(readme);
        while (m.find()) {
            found.add(new Snippet(m.group(1) != null, m.group(2), m.group(3)));
        }
        return found;
    }
}
