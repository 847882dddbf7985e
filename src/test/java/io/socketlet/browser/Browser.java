package io.socketlet.browser;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * One headless Chromium with a fresh profile, driven by Debian's chromedriver: both given by
 * path, so Selenium Manager is never asked (it would try to download a browser and a driver).
 * {@link #close()} quits it and ends any of its processes that outlived the quit.
 *
 * <p>Without Chromium the browser tests are skipped on a developer's machine and fail on CI
 * ({@code CI=true}), where {@code .ci/run} installs {@code chromium} and {@code chromium-driver}.
 */
final class Browser implements AutoCloseable {

    static final Path CHROMIUM = Paths.get(System.getProperty("socketlet.chromium", "/usr/bin/chromium"));
    static final Path CHROMEDRIVER = Paths.get(System.getProperty("socketlet.chromedriver", "/usr/bin/chromedriver"));

    /** The viewport of every page: the README's screenshot size. */
    static final int WIDTH = 1280;
    static final int HEIGHT = 900;

    /** Profiles of browsers not yet closed, for the shutdown hook. */
    private static final Set<Path> OPEN_PROFILES = ConcurrentHashMap.newKeySet();

    /**
     * Selenium logs through java.util.logging: each session's start at INFO, and a warning that
     * it has no DevTools (CDP) classes for this Chromium, which these tests do not use. Strong
     * references, so the levels stay set.
     */
    private static final List<java.util.logging.Logger> QUIET = List.of(
            java.util.logging.Logger.getLogger("org.openqa.selenium"),
            java.util.logging.Logger.getLogger("org.openqa.selenium.devtools"));

    static {
        QUIET.get(0).setLevel(Level.WARNING);
        QUIET.get(1).setLevel(Level.SEVERE);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> OPEN_PROFILES.forEach(Browser::killProcessesOf),
                "socketlet-browser-reaper"));
    }

    final String name;
    final ChromeDriver driver;
    private final ChromeDriverService service;
    private final Path profile;

    private Browser(String name, ChromeDriver driver, ChromeDriverService service, Path profile) {
        this.name = name;
        this.driver = driver;
        this.service = service;
        this.profile = profile;
    }

    private static volatile boolean toldWhySkipped;

    /** Why the browser tests cannot run here, or null when Chromium and its driver are installed. */
    private static String missing() {
        List<String> missing = new ArrayList<>();
        if (!Files.isExecutable(CHROMIUM)) {
            missing.add(CHROMIUM.toString());
        }
        if (!Files.isExecutable(CHROMEDRIVER)) {
            missing.add(CHROMEDRIVER.toString());
        }
        return missing.isEmpty() ? null : "headless Chromium is not installed (missing " + String.join(", ", missing)
                + "): apt-get install -y chromium chromium-driver (.ci/run does this)";
    }

    /**
     * Whether Chromium and its driver are installed; when they are not, fails on CI ({@code CI}
     * set, as CI sets it) and tells why on a developer's machine.
     */
    static boolean installedOrFailOnCi() {
        String missing = missing();
        if (missing == null) {
            return true;
        }
        String ci = System.getenv("CI");
        if (ci != null && !ci.isBlank() && !ci.equalsIgnoreCase("false") && !ci.equals("0")) {
            fail("CI=" + ci + " and " + missing);
        }
        if (!toldWhySkipped) {
            toldWhySkipped = true;
            System.err.println("[socketlet] " + missing + "; the browser tests are skipped");
        }
        return false;
    }

    /** Skips the calling test (no CI) or fails it ({@code CI} set) when Chromium or its driver is missing. */
    static void assumeInstalled() {
        if (!installedOrFailOnCi()) {
            Assumptions.assumeTrue(false, missing() + "; browser test skipped");
        }
    }

    /** Starts a browser with a fresh, empty profile (no name in localStorage, no cache). */
    static Browser open(String name) throws IOException {
        return open(name, List.of());
    }

    /**
     * The same, with more command-line switches, such as {@code --ignore-certificate-errors} for a
     * server with the tests' self-signed certificate.
     */
    static Browser open(String name, List<String> extraArguments) throws IOException {
        assumeInstalled();
        Path profiles = Paths.get(System.getProperty("socketlet.work.dir", "target/it-work"), "chromium").toAbsolutePath();
        Files.createDirectories(profiles);
        Path profile = Files.createTempDirectory(profiles, name.replaceAll("[^A-Za-z0-9]", "") + "-");
        // The property Selenium reads before it would ask Selenium Manager.
        System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments(
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-extensions",
                // Two pages side by side must both keep their timers (reconnects, stroke flushes).
                "--disable-background-timer-throttling",
                "--disable-renderer-backgrounding",
                "--disable-backgrounding-occluded-windows",
                "--hide-scrollbars",
                // Chromium keeps a page it navigates away from in its back/forward cache with its
                // WebSockets still open: the chat room would keep a ghost of every page a test left.
                "--disable-features=BackForwardCache",
                "--force-device-scale-factor=1",
                "--window-size=" + WIDTH + "," + HEIGHT,
                "--user-data-dir=" + profile);
        options.addArguments(extraArguments);
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .withLogFile(profile.resolveSibling(profile.getFileName() + "-chromedriver.log").toFile())
                .build();
        OPEN_PROFILES.add(profile);
        try {
            ChromeDriver driver = new ChromeDriver(service, options);
            // The viewport itself, not the window around it, is WIDTH x HEIGHT: the screenshot's size.
            driver.executeCdpCommand("Emulation.setDeviceMetricsOverride", java.util.Map.of(
                    "width", WIDTH, "height", HEIGHT, "deviceScaleFactor", 1, "mobile", false));
            driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(10));
            driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(20));
            return new Browser(name, driver, service, profile);
        } catch (RuntimeException | Error e) {
            service.stop();
            killProcessesOf(profile);
            OPEN_PROFILES.remove(profile);
            throw e;
        }
    }

    /** The console messages of level SEVERE since the last call (errors, failed loads, uncaught exceptions). */
    List<String> consoleErrors() {
        List<String> errors = new ArrayList<>();
        for (LogEntry entry : driver.manage().logs().get(LogType.BROWSER)) {
            if (entry.getLevel().intValue() >= Level.SEVERE.intValue()) {
                errors.add(entry.getMessage());
            }
        }
        return errors;
    }

    /** Drops the console messages so far. */
    void clearConsole() {
        driver.manage().logs().get(LogType.BROWSER);
    }

    byte[] screenshot() {
        return driver.getScreenshotAs(OutputType.BYTES);
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } catch (RuntimeException ignored) {
            // the processes are ended below either way
        } finally {
            service.stop();
            killProcessesOf(profile);
            OPEN_PROFILES.remove(profile);
            deleteTree(profile);
        }
    }

    /** Ends this JVM's child processes (chromium and its helpers) that use this profile. */
    private static void killProcessesOf(Path profile) {
        String marker = "--user-data-dir=" + profile;
        List<ProcessHandle> left = ProcessHandle.current().descendants()
                .filter(p -> p.info().commandLine().map(c -> c.contains(marker)).orElse(false))
                .toList();
        left.forEach(ProcessHandle::destroy);
        for (ProcessHandle p : left) {
            try {
                p.onExit().get(3, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception e) {
                p.destroyForcibly();
            }
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a profile left in the build folder is harmless
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
