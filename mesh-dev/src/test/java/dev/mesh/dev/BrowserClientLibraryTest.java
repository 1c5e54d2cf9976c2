package dev.mesh.dev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * The web client's library (static/js/mesh-client.js) on its own: its unit tests
 * (src/test/js/mesh-client.test.mjs) with Node's built-in runner and a scripted WebSocket —
 * backoff and jitter, seq dedupe, resume before the offline queue, same ids, bounds, token
 * refresh, close codes. The browser tests drive the same library end to end.
 */
class BrowserClientLibraryTest {

    @Test
    void theClientLibrarysUnitTestsPassInNode() throws Exception {
        assumeTrue(nodeAvailable(), "the library's unit tests need Node 20 or newer (node on the PATH)");
        Path tests = Path.of("src", "test", "js");
        assertThat(tests.resolve("mesh-client.test.mjs")).exists();
        Process node = new ProcessBuilder("node", "--test", tests.toString()).redirectErrorStream(true).start();
        boolean finished = node.waitFor(2, TimeUnit.MINUTES);
        String output = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!finished) {
            node.destroyForcibly();
        }
        System.out.println(output.lines().filter(l -> l.startsWith("# ") || l.startsWith("not ok")).reduce("", (x, y) -> x + y + "\n"));
        assertThat(finished).as("node --test finished").isTrue();
        assertThat(node.exitValue()).as(output).isZero();
        assertThat(output).contains("# fail 0");
    }

    private static boolean nodeAvailable() {
        try {
            Process version = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
            String v = new String(version.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            return version.waitFor(10, TimeUnit.SECONDS) && version.exitValue() == 0
                    && Integer.parseInt(v.replaceFirst("^v(\\d+).*", "$1")) >= 20;
        } catch (IOException | InterruptedException | NumberFormatException e) {
            return false;
        }
    }
}
