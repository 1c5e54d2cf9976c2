package dev.mesh.dev;

import static dev.mesh.dev.TestMesh.http;
import static org.assertj.core.api.Assertions.assertThat;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.Select;

import tools.jackson.databind.JsonNode;

import dev.mesh.contracts.MeshJson;
import dev.mesh.testkit.ws.WsTestClient;

/**
 * Writes the screenshots of the web client's main views under {@code docs/screenshots/}: headless
 * Chromium against the test mesh, the demo users chatting and running a quiz. Not part of the
 * suite (its name does not end in Test); run it on its own when the client's look changes:
 *
 * <pre>./mvnw -B -o -pl mesh-dev -am verify -Dtest=BrowserScreenshots -Dsurefire.failIfNoSpecifiedTests=false</pre>
 *
 * {@code -Dscreenshots.dir=…} writes them elsewhere (relative to {@code mesh-dev/}). Every view is
 * also checked to fit its width (no horizontal scrolling), the phone ones at 375 CSS pixels.
 */
class BrowserScreenshots {

    private final TestMesh mesh = TestMesh.get();
    private final Path dir = Path.of(System.getProperty("screenshots.dir", "../docs/screenshots"));

    @Test
    void theMainViews() throws Exception {
        Files.createDirectories(dir);
        String ada = TestMesh.token("ada", "instructor");
        String general = createRoom(ada, "Algebra 101", "public");
        String office = createRoom(ada, "Office hours", "public");
        createRoom(ada, "Proofs study group", "study_group");
        HttpResponse<String> quiz = TestMesh.post(mesh.gateway1, "/api/quiz/quizzes", ada, MeshJson.write(Map.of(
                "title", "Algebra warm-up",
                "questions", List.of(
                        question("Which of these is a group under addition?", List.of("ℕ", "ℤ", "{0, 1}"), 1),
                        question("The identity of (ℝ \\ {0}, ·) is…", List.of("0", "1", "−1"), 1),
                        question("Is every field a ring?", List.of("yes", "no"), 0)),
                "settings", Map.of("pauseBetweenQuestionsSeconds", 15))));
        assertThat(quiz.statusCode()).as(quiz.body()).isEqualTo(201);

        try (Browser a = Browser.open("ada", http(mesh.gateway1), 1280);
             Browser b = Browser.open("alan", http(mesh.gateway2), 1280);
             Browser p = Browser.openPhone("barbara", http(mesh.gateway1))) {
            a.waitUntil("the demo users", d -> d.findElements(By.cssSelector("#demo-users button")).size() >= 6);
            shot(a, "login");

            a.login("ada").openRoom("Office hours").openRoom("Algebra 101");
            b.login("alan").openRoom("Algebra 101");
            p.login("barbara").openRoom("Algebra 101");

            // Ada's custom status, from the header's form.
            a.click(d -> d.findElement(By.id("status-button")));
            new Select(a.driver.findElement(By.id("status-emoji"))).selectByValue("📚");
            a.driver.findElement(By.id("status-text")).sendKeys("Office hours 2–4 pm\n");

            a.send("Morning! Today: groups, rings and fields.");
            b.message("Morning! Today: groups, rings and fields.");
            b.send("Is a monoid a group without inverses?");
            a.click(d -> a.message("Is a monoid a group without inverses?").findElement(By.cssSelector("[data-action=reply]")));
            a.send("Exactly: associative, with an identity, and no inverses needed.");
            react(b, "Morning! Today: groups, rings and fields.", "👍");
            react(p, "Morning! Today: groups, rings and fields.", "🎉");
            a.waitUntil("both reactions", d -> a.message("Morning! Today: groups, rings and fields.")
                    .findElements(By.cssSelector(".reaction")).size() == 2);

            b.click(d -> b.message("Morning! Today: groups, rings and fields.").findElement(By.cssSelector("[data-action=reply]")));
            b.send("Will there be a quiz today?");
            a.message("Will there be a quiz today?");

            // Alan shares his notes as an image, then thanks Ada with a mention from the @ list.
            Path notes = Files.createTempFile("group-axioms", ".png");
            ImageIO.write(notesImage(), "png", notes.toFile());
            b.type("my notes on the group axioms");
            b.driver.findElement(By.id("composer-file")).sendKeys(notes.toString());
            a.waitUntil("the image preview", d -> Boolean.TRUE.equals(a.js(
                    "const img = document.querySelector('#messages img.preview'); return !!img && img.complete && img.naturalWidth > 0")));
            b.type("thanks @ad");
            b.waitUntil("the mention list", d -> d.findElement(By.id("mention-list")).isDisplayed());
            b.type(Keys.ENTER.toString());
            b.send("see you at office hours");
            a.message("thanks @ada see you at office hours");

            // Someone posts in Office hours (unread on Ada's list) and Margaret writes to Ada directly.
            try (WsTestClient edsger = TestMesh.connectWithHeader(mesh.gateway2, "edsger");
                 WsTestClient margaret = TestMesh.connectWithHeader(mesh.gateway2, "margaret")) {
                TestMesh.join(edsger, office);
                for (String text : List.of("Is the room on the 2nd floor?", "Found it, thanks")) {
                    String id = edsger.sendCommand("chat:message", Map.of("roomId", office, "content", text));
                    assertThat(TestMesh.text(edsger.awaitReply(id, TestMesh.WAIT), "type")).isEqualTo("ack");
                }
                String id = margaret.sendCommand("chat:message", Map.of("recipientId", "ada",
                        "content", "Could we move our meeting to Friday?"));
                assertThat(TestMesh.text(margaret.awaitReply(id, TestMesh.WAIT), "type")).isEqualTo("ack");
            }
            a.waitUntil("Office hours unread", d -> d.findElements(By.cssSelector("#room-list .room-item")).stream()
                    .anyMatch(e -> e.getText().contains("Office hours") && e.getText().endsWith("2")));
            a.waitUntil("Margaret's conversation", d -> d.findElements(By.cssSelector("#dm-list .room-item")).stream()
                    .anyMatch(e -> e.getText().contains("margaret")));

            // The thread open on Ada's page while Alan types.
            a.click(d -> a.message("Is a monoid a group without inverses?").findElement(By.cssSelector("[data-action=thread]")));
            a.waitUntil("the thread", d -> d.findElements(By.cssSelector("#thread .msg")).size() == 2);
            b.type("and a ring is");
            a.waitUntil("Alan typing", d -> d.findElement(By.id("typing")).getText().contains("alan"));
            a.js("document.activeElement.blur()");
            shot(a, "chat");
            b.driver.findElement(By.id("composer-input")).clear();

            a.click(d -> d.findElement(By.id("bell")));
            a.waitUntil("the notifications", d -> d.findElements(By.cssSelector("#notification-list li.notification")).size() >= 2);
            a.js("document.getElementById('read-all').blur()");
            shot(a, "notifications");
            a.driver.findElement(By.id("bell")).click();

            p.waitUntil("the image on the phone", d -> Boolean.TRUE.equals(p.js(
                    "const img = document.querySelector('#messages img.preview'); return !!img && img.complete && img.naturalWidth > 0")));
            p.js("document.getElementById('messages').lastElementChild.scrollIntoView()");
            shot(p, "phone-chat");

            // The quiz: Ada hosts, Alan and Barbara (on the phone) join by the code.
            for (Browser page : List.of(a, b, p)) {
                page.driver.findElement(By.cssSelector("#views button[data-view=quiz]")).click();
            }
            a.click(d -> d.findElements(By.cssSelector("#quiz-list li")).stream()
                    .filter(li -> li.getText().contains("Algebra warm-up")).findFirst().orElseThrow()
                    .findElement(By.cssSelector("button[data-quiz]")));
            String code = a.waitFor(d -> {
                String text = d.findElement(By.id("quiz-join-code")).getText();
                return text.matches("\\d{6}") ? text : null;
            });
            for (Browser player : List.of(b, p)) {
                player.driver.findElement(By.id("quiz-code")).sendKeys(code + "\n");
                player.waitUntil("joined", d -> "lobby".equalsIgnoreCase(d.findElement(By.id("quiz-state")).getText()));
            }
            a.waitUntil("two players", d -> d.findElement(By.id("quiz-participants")).getText().equals("2 players"));
            shot(a, "quiz-host-lobby");
            a.driver.findElement(By.cssSelector(".quiz-controls button[data-step=start]")).click();
            b.click(d -> d.findElement(By.cssSelector(".option[data-option='1']")));
            p.waitUntil("the question", d -> d.findElement(By.id("quiz-countdown")).getText().matches("\\d+ s"));
            p.js("document.activeElement.blur()");
            shot(p, "quiz-player");
            p.click(d -> d.findElement(By.cssSelector(".option[data-option='0']")));
            a.waitUntil("the leaderboard", d -> d.findElements(By.cssSelector("#quiz-leaderboard li")).size() == 2);
            a.js("document.activeElement.blur()");
            shot(a, "quiz-host-leaderboard");
            b.waitUntil("Alan's verdict", d -> d.findElement(By.id("quiz-verdict")).isDisplayed());
            a.driver.findElement(By.cssSelector(".quiz-controls button[data-step=end]")).click();
            a.waitUntil("the final ranking", d -> d.findElements(By.cssSelector("#quiz-ranking li")).size() == 2);
        }
    }

    /** Taps the message (on a phone its actions show then), React, and the emoji; again if a redraw closed the picker. */
    private static void react(Browser page, String content, String emoji) {
        By choice = By.cssSelector(".emoji-picker [data-emoji='" + emoji + "']");
        page.waitUntil("reacted with " + emoji, d -> {
            if (d.findElements(choice).isEmpty()) {
                page.message(content).findElement(By.cssSelector(".body")).click();
                page.message(content).findElement(By.cssSelector("[data-action=react]")).click();
            }
            d.findElement(choice).click();
            return true;
        });
    }

    private void shot(Browser page, String name) throws Exception {
        new Actions(page.driver).moveToLocation(1, 1).perform(); // no hover effects in the picture
        Thread.sleep(300); // let a just-triggered transition or image paint settle
        assertThat(page.horizontalOverflow()).as(name + ": no horizontal scrolling").isZero();
        Files.write(dir.resolve(name + ".png"), page.driver.getScreenshotAs(OutputType.BYTES));
        System.out.printf("screenshot: %s%n", dir.resolve(name + ".png"));
    }

    private String createRoom(String token, String name, String type) throws Exception {
        HttpResponse<String> created = TestMesh.post(mesh.gateway1, "/api/chat/rooms", token,
                MeshJson.write(Map.of("name", name, "type", type)));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        return MeshJson.read(created.body(), JsonNode.class).get("id").asString();
    }

    private static Map<String, Object> question(String text, List<String> options, int correct) {
        return Map.of("type", "single", "text", text, "options", options, "correct", correct, "timeLimitSeconds", 30);
    }

    /** A hand-drawn-looking note: the four group axioms. */
    private static BufferedImage notesImage() {
        BufferedImage image = new BufferedImage(480, 320, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(new Color(0xFFFDF3));
        g.fillRect(0, 0, 480, 320);
        g.setColor(new Color(0xC9DDF2));
        for (int y = 60; y < 320; y += 36) {
            g.drawLine(20, y, 460, y);
        }
        g.setColor(new Color(0x1D2228));
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 26));
        g.drawString("Group (G, ·)", 30, 44);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 20));
        String[] lines = {"1. closure: a·b ∈ G", "2. (a·b)·c = a·(b·c)", "3. e·a = a·e = a", "4. a·a⁻¹ = e"};
        for (int i = 0; i < lines.length; i++) {
            g.drawString(lines[i], 40, 88 + 36 * i);
        }
        g.setColor(new Color(0x2858B8));
        g.setStroke(new BasicStroke(3));
        g.drawOval(300, 170, 140, 110);
        g.drawString("monoid: 1–3", 318, 232);
        g.dispose();
        return image;
    }
}
