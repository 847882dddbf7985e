package io.socketlet.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * docs/architecture.md's "Every file, by package" is where a newcomer looks for a class: each row
 * must name exactly the classes of its package's folder, so a file added, moved or removed shows
 * up here rather than as a stale map.
 */
class ArchitectureDocTest {

    private static final Path SOURCES = Path.of("src/main/java");

    @Test
    void everyPackageRowNamesExactlyItsFiles() throws IOException {
        String doc = Files.readString(Path.of("docs/architecture.md"));
        int start = doc.indexOf("### Every file, by package");
        assertTrue(start >= 0, "docs/architecture.md has its file map");
        int end = doc.indexOf("\n\n", doc.indexOf("| package | files |", start));
        Matcher row = Pattern.compile("(?m)^\\| `([\\w.]+)` \\| (.*) \\|$").matcher(doc.substring(start, end));
        Set<String> packagesInDoc = new TreeSet<>();
        while (row.find()) {
            String pkg = row.group(1);
            packagesInDoc.add(pkg);
            Set<String> named = new TreeSet<>();
            Matcher name = Pattern.compile("`([A-Z]\\w*)`").matcher(row.group(2));
            while (name.find()) {
                named.add(name.group(1));
            }
            assertEquals(classesOf(pkg), named, "the row of " + pkg + " in docs/architecture.md");
        }
        assertEquals(packagesWithClasses(), packagesInDoc, "the packages in docs/architecture.md's file map");
    }

    private static Set<String> classesOf(String pkg) throws IOException {
        try (Stream<Path> files = Files.list(SOURCES.resolve(pkg.replace('.', '/')))) {
            return files.map(f -> f.getFileName().toString())
                    .filter(f -> f.endsWith(".java") && !f.equals("package-info.java"))
                    .map(f -> f.substring(0, f.length() - ".java".length()))
                    .collect(TreeSet::new, Set::add, Set::addAll);
        }
    }

    private static Set<String> packagesWithClasses() throws IOException {
        try (Stream<Path> files = Files.walk(SOURCES)) {
            List<Path> sources = files.filter(f -> f.toString().endsWith(".java")
                    && !f.getFileName().toString().equals("package-info.java")).toList();
            Set<String> packages = new TreeSet<>();
            for (Path source : sources) {
                packages.add(SOURCES.relativize(source.getParent()).toString().replace('/', '.'));
            }
            return packages;
        }
    }
}
