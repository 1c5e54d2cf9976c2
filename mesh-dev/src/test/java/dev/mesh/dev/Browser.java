package dev.mesh.dev;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import java.util.logging.Level;

import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * One headless Chromium showing the web client, driven through chromedriver: the system's
 * packages ({@code chromium}, {@code chromium-driver}; {@code CHROME_BIN} and
 * {@code CHROMEDRIVER} override the paths), never a downloaded browser. Helpers speak the
 * page's language: log in, open a room, type, send, read the log.
 */
final class Browser implements AutoCloseable {

    static final Duration WAIT = Duration.ofSeconds(30);

    private static final Path CHROME = Path.of(env("CHROME_BIN", "/usr/bin/chromium"));
    private static final Path DRIVER = Path.of(env("CHROMEDRIVER", "/usr/bin/chromedriver"));

    final String name;
    final ChromeDriver driver;
    /** Where this browser saves downloads (a fresh temporary folder). */
    final Path downloads;
    private boolean closed;

    private Browser(String name, ChromeDriver driver, Path downloads) {
        this.name = name;
        this.driver = driver;
        this.downloads = downloads;
    }

    /** A browser at {@code url}, {@code width} CSS pixels wide; the test is skipped where Chromium is not installed. */
    static Browser open(String name, String url, int width) {
        assumeTrue(Files.isExecutable(CHROME) && Files.isExecutable(DRIVER),
                "browser tests need Chromium and chromedriver (Debian: chromium, chromium-driver; .ci/run installs them)");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROME.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=" + width + ",900", "--no-first-run", "--disable-extensions");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        Path downloads;
        try {
            downloads = Files.createTempDirectory("browser-downloads");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        options.setExperimentalOption("prefs", java.util.Map.of("download.default_directory", downloads.toString(),
                "download.prompt_for_download", false));
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile())
                .usingAnyFreePort().build();
        Browser browser = new Browser(name, new ChromeDriver(service, options), downloads);
        browser.driver.manage().timeouts().scriptTimeout(WAIT);
        browser.driver.get(url);
        return browser;
    }

    /** A phone's viewport: 375 CSS pixels wide, the mobile viewport rules on (Chromium's device emulation). */
    static Browser openPhone(String name, String url) {
        Browser browser = open(name, url, 400);
        browser.driver.executeCdpCommand("Emulation.setDeviceMetricsOverride", java.util.Map.of(
                "width", 375, "height", 740, "deviceScaleFactor", 1, "mobile", true));
        browser.driver.navigate().refresh();
        return browser;
    }

    /** How many CSS pixels the page is wider than its viewport (0: no horizontal scrolling). */
    int horizontalOverflow() {
        return ((Number) js("return Math.max(0, document.documentElement.scrollWidth - document.documentElement.clientWidth)"))
                .intValue();
    }

    /** Logs in through the page's development-issuer form and waits for the connection. */
    Browser login(String user) {
        WebElement field = waitFor(d -> d.findElement(By.id("dev-user")).isDisplayed() ? d.findElement(By.id("dev-user")) : null);
        field.sendKeys(user);
        driver.findElement(By.cssSelector("#dev-login button[type=submit]")).click();
        waitUntil("connected", d -> "open".equals(js("return document.body.dataset.connection")));
        return this;
    }

    /** Clicks a room in the sidebar by its name and waits for it to be joined (its Leave button shows). */
    Browser openRoom(String roomName) {
        // Found and clicked in one step of the wait: the list re-renders as unread counts change.
        waitUntil("room " + roomName + " clicked", d -> {
            WebElement item = d.findElements(By.cssSelector("#room-list .room-item")).stream()
                    .filter(e -> e.getText().contains(roomName)).findFirst().orElse(null);
            if (item == null) {
                return false;
            }
            item.click();
            return true;
        });
        waitUntil("room " + roomName + " open", d -> roomName.equals(d.findElement(By.id("room-title")).getText())
                && d.findElements(By.cssSelector(".room-head button.subtle:not([hidden])")).size() == 1);
        return this;
    }

    Browser type(String text) {
        driver.findElement(By.id("composer-input")).sendKeys(text);
        return this;
    }

    /** Types a message and sends it with Enter, as a keyboard user would. */
    Browser send(String text) {
        driver.findElement(By.id("composer-input")).sendKeys(text + "\n");
        return this;
    }

    /** The message bodies of the open room's log, top to bottom (pending sends included). */
    List<String> messages() {
        return driver.findElements(By.cssSelector("#messages > li.msg:not(.pending) .body")).stream().map(WebElement::getText).toList();
    }

    /** The open room's message element with this content (posted, not pending). */
    WebElement message(String content) {
        return waitFor(d -> d.findElements(By.cssSelector("#messages > li.msg:not(.pending)")).stream()
                .filter(e -> e.findElements(By.cssSelector(".body")).stream().anyMatch(b -> b.getText().equals(content)))
                .findFirst().orElse(null));
    }

    /** Clicks what {@code find} finds, finding it again if the page redrew it in between. */
    void click(Function<WebDriver, WebElement> find) {
        waitFor(d -> {
            find.apply(d).click();
            return true;
        });
    }

    /** The presence dot shown for a user in the room's people list ({@code data-status}). */
    String presenceOf(String userId) {
        List<WebElement> dots = driver.findElements(By.cssSelector("#people [data-presence-user='" + userId + "']"));
        return dots.isEmpty() ? null : dots.getFirst().getAttribute("data-status");
    }

    Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    <T> T waitFor(Function<WebDriver, T> condition) {
        return new WebDriverWait(driver, WAIT, Duration.ofMillis(50)).ignoring(RuntimeException.class).until(condition);
    }

    void waitUntil(String what, Function<WebDriver, Boolean> condition) {
        try {
            new WebDriverWait(driver, WAIT, Duration.ofMillis(50)).ignoring(RuntimeException.class)
                    .withMessage(() -> name + ": " + what).until(condition);
        } catch (RuntimeException e) {
            printConsole();
            printState();
            throw e;
        }
    }

    /** Where the page stood, for a failing test's report. */
    void printState() {
        try {
            System.out.printf("[%s state] %s%n", name, js("""
                    const box = document.getElementById('composer-input');
                    return JSON.stringify({connection: document.body.dataset.connection,
                      focus: document.activeElement && (document.activeElement.id || document.activeElement.tagName),
                      composer: box && box.value, mentions: document.getElementById('mention-list')?.outerHTML,
                      log: [...document.querySelectorAll('#messages > li')].map(li => li.innerText).slice(-8)});"""));
        } catch (RuntimeException e) {
            System.out.printf("[%s state] unavailable: %s%n", name, e.getMessage());
        }
    }

    /** The page's console, for a failing test's report. */
    void printConsole() {
        try {
            for (LogEntry entry : driver.manage().logs().get(LogType.BROWSER)) {
                System.out.printf("[%s console] %s %s%n", name, entry.getLevel(), entry.getMessage());
            }
        } catch (RuntimeException e) {
            System.out.printf("[%s console] unavailable: %s%n", name, e.getMessage());
        }
    }

    /** A random demo user name the development issuer accepts; fresh per test so tests do not share rooms' state. */
    static String freshStudent() {
        return "student-" + (100_000 + (long) (Math.random() * 900_000_000));
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            driver.quit();
        }
    }

    private static String env(String variable, String fallback) {
        String value = System.getenv(variable);
        return value == null || value.isBlank() ? fallback : value;
    }
}
