package dev.mesh.dev;

import static dev.mesh.dev.TestMesh.http;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * A live quiz in three browsers: an instructor authors a three-question quiz in the page, hosts
 * it and reads the join code off the screen; two players (each on another gateway than the host
 * or each other's) type the code, answer every question while its countdown runs, see whether
 * they were right and their rank, and every page ends on the same final ranking. One player's
 * connection is cut after the first question; the page rejoins the session and plays on. The host
 * pauses the second question and resumes it; the phone-width player's page never scrolls sideways.
 */
class BrowserQuizTest {

    private final TestMesh mesh = TestMesh.get();

    @Test
    void aHostAndTwoPlayersRunAThreeQuestionQuizToTheFinalRanking() {
        String teacher = "instructor-" + (100_000 + (long) (Math.random() * 900_000_000));
        String ann = Browser.freshStudent();
        String bob = Browser.freshStudent();
        String title = "Browser quiz " + System.nanoTime();
        try (Browser host = Browser.open("host", http(mesh.gateway1), 1200);
             Browser a = Browser.open("ann", http(mesh.gateway2), 1200);
             Browser b = Browser.openPhone("bob", http(mesh.gateway1))) {
            host.login(teacher);
            a.login(ann);
            b.login(bob);
            for (Browser page : List.of(host, a, b)) {
                page.driver.findElement(By.cssSelector("#views button[data-view=quiz]")).click();
            }

            host.driver.findElement(By.id("quiz-title")).sendKeys(title);
            host.driver.findElement(By.id("quiz-questions")).sendKeys(
                    "2 + 2? | 3 | *4 | 5\nCapital of France? | *Paris | Rome\nPrimes below 10? | 3 | *4 | 5\n");
            WebElement seconds = host.driver.findElement(By.id("quiz-seconds"));
            seconds.clear();
            seconds.sendKeys("8");
            WebElement pause = host.driver.findElement(By.id("quiz-pause"));
            pause.clear();
            pause.sendKeys("1");
            host.driver.findElement(By.cssSelector("#quiz-author button[type=submit]")).click();
            host.click(d -> d.findElements(By.cssSelector("#quiz-list li")).stream()
                    .filter(li -> li.getText().contains(title)).findFirst().orElseThrow()
                    .findElement(By.cssSelector("button[data-quiz]")));
            String code = host.waitFor(d -> {
                String text = d.findElement(By.id("quiz-join-code")).getText();
                return text.matches("\\d{6}") ? text : null;
            });

            for (Browser player : List.of(a, b)) {
                player.driver.findElement(By.id("quiz-code")).sendKeys(code + "\n");
                player.waitUntil("joined", d -> "lobby".equals(d.findElement(By.id("quiz-state")).getText().toLowerCase()));
            }
            host.waitUntil("two players in the lobby", d -> d.findElement(By.id("quiz-participants")).getText().equals("2 players"));
            assertThat(host.driver.findElement(By.cssSelector(".quiz-controls button[data-step=pause]")).isEnabled())
                    .as("nothing to pause in the lobby").isFalse();
            host.driver.findElement(By.cssSelector(".quiz-controls button[data-step=start]")).click();
            host.waitUntil("Start is done", d -> !d.findElement(By.cssSelector(".quiz-controls button[data-step=start]")).isEnabled());

            // Ann is always right; Bob is right only on the second question.
            int[] annPicks = {1, 0, 1};
            int[] bobPicks = {0, 0, 2};
            for (int q = 0; q < 3; q++) {
                int index = q;
                for (Browser player : List.of(a, b)) {
                    player.waitUntil("question " + (index + 1) + " with its countdown", d ->
                            d.findElement(By.id("quiz-question")).isDisplayed()
                                    && d.findElement(By.cssSelector("#quiz-stage > p.muted")).getText().startsWith("Question " + (index + 1) + " of 3")
                                    && d.findElement(By.id("quiz-countdown")).getText().matches("[1-8] s"));
                }
                host.waitUntil("the host sees question " + (index + 1), d -> d.findElement(By.cssSelector("#quiz-stage > p.muted"))
                        .getText().startsWith("Question " + (index + 1) + " of 3"));
                if (index == 1) {
                    // The host pauses the open question: every page shows "paused" with the countdown stopped;
                    // Resume opens it again with the time it had left.
                    host.click(d -> d.findElement(By.cssSelector(".quiz-controls button[data-step=pause]")));
                    for (Browser page : List.of(host, a, b)) {
                        page.waitUntil("paused", d -> "paused".equalsIgnoreCase(d.findElement(By.id("quiz-state")).getText()));
                    }
                    String frozen = a.driver.findElement(By.id("quiz-countdown")).getText();
                    assertThat(frozen).matches("[1-8] s");
                    assertThat(host.driver.findElement(By.cssSelector(".quiz-controls button[data-step=resume]")).isEnabled()).isTrue();
                    host.click(d -> d.findElement(By.cssSelector(".quiz-controls button[data-step=resume]")));
                    for (Browser page : List.of(host, a, b)) {
                        page.waitUntil("resumed", d -> "question".equalsIgnoreCase(d.findElement(By.id("quiz-state")).getText()));
                    }
                    assertThat(b.horizontalOverflow()).as("the question fits the phone's width").isZero();
                }
                a.click(d -> d.findElement(By.cssSelector(".option[data-option='" + annPicks[index] + "']")));
                host.waitUntil("one answer counted", d -> d.findElement(By.id("quiz-answer-count")).getText().equals("1 / 2 answered"));
                b.click(d -> d.findElement(By.cssSelector(".option[data-option='" + bobPicks[index] + "']")));
                if (index < 2) {
                    a.waitUntil("Ann was right", d -> "Right!".equals(d.findElement(By.id("quiz-verdict")).getText()));
                    String bobVerdict = index == 1 ? "Right!" : "Wrong";
                    b.waitUntil("Bob's verdict", d -> bobVerdict.equals(d.findElement(By.id("quiz-verdict")).getText()));
                    a.waitUntil("Ann's rank", d -> d.findElement(By.id("quiz-score")).getText().contains("rank 1 of 2"));
                    b.waitUntil("Bob's rank", d -> d.findElement(By.id("quiz-score")).getText().contains("rank 2 of 2"));
                }
                if (index == 0) {
                    // Bob's connection drops between questions: the library reconnects and joins the session
                    // again with sinceSeq, so the next question reaches him (live or replayed) and counts.
                    Object before = b.js("return window.meshClient.welcome.sessionId");
                    b.js("window.meshClient.ws.close(4000, 'test: cut')");
                    b.waitUntil("Bob reconnected", d -> "open".equals(b.js("return document.body.dataset.connection"))
                            && !before.equals(b.js("return window.meshClient.welcome.sessionId")));
                }
            }

            for (Browser page : List.of(host, a, b)) {
                page.waitUntil("the final ranking", d -> d.findElements(By.cssSelector("#quiz-ranking li")).size() == 2);
                List<String> names = page.driver.findElements(By.cssSelector("#quiz-ranking li .name")).stream()
                        .map(WebElement::getText).toList();
                assertThat(names).as(page.name).containsExactly(ann, bob);
                assertThat(page.driver.findElement(By.id("quiz-state")).getText().toLowerCase()).isEqualTo("completed");
            }
        }
    }
}
