package io.socketlet.internal.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;

/**
 * Every public type and member of the documented packages has a javadoc comment, with its
 * {@code @param} and {@code @return}, and the comments are valid HTML with resolving references.
 * The build's javadoc (maven-javadoc-plugin, {@code -Xdoclint:all}, where a warning fails the
 * build) checks the same when the javadoc jar is made; this test runs the JDK's javadoc over the
 * same packages so that {@code mvn test} catches it too, and fails on any warning.
 */
class JavadocCoverageTest {

    /** The packages the javadoc jar documents: every package in src/main/java but the pom's excludePackageNames. */
    private static List<String> documentedPackages() throws IOException {
        Matcher excluded = Pattern.compile("<excludePackageNames>([^<]*)</excludePackageNames>")
                .matcher(Files.readString(Path.of("pom.xml")));
        List<String> exclude = excluded.find() ? List.of(excluded.group(1).split(":")) : List.of();
        Path root = Path.of("src/main/java");
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(f -> f.toString().endsWith(".java") && !f.endsWith("package-info.java"))
                    .map(f -> root.relativize(f.getParent()).toString().replace(java.io.File.separatorChar, '.'))
                    .distinct().filter(pkg -> !exclude.contains(pkg)).sorted().toList();
        }
    }

    @Test
    void everyPublicTypeAndMemberIsDocumentedWithoutWarnings() throws IOException {
        Path out = Files.createTempDirectory("socketlet-javadoc");
        ByteArrayOutputStream messages = new ByteArrayOutputStream();
        int status;
        try {
            List<String> arguments = new ArrayList<>(List.of("-Xdoclint:all", "-Xmaxwarns", "100000", "-quiet",
                    "-d", out.toString(), "-sourcepath", "src/main/java",
                    "-classpath", System.getProperty("java.class.path")));
            arguments.addAll(documentedPackages());
            status = ToolProvider.getSystemDocumentationTool()
                    .run(null, messages, messages, arguments.toArray(String[]::new));
        } finally {
            try (Stream<Path> files = Files.walk(out)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        String text = messages.toString(Charset.defaultCharset());
        assertEquals(0, status, () -> "javadoc failed on the documented packages:\n" + text);
        List<String> warnings = text.lines().filter(l -> l.contains(": warning:")).toList();
        assertEquals(List.of(), warnings, "javadoc warnings in the documented packages");
    }
}
