package dev.mesh.dev;

import static dev.mesh.dev.TestMesh.http;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

import tools.jackson.databind.JsonNode;

import dev.mesh.contracts.MeshJson;
import dev.mesh.testkit.ws.WsTestClient;

/**
 * The web client in real browsers (headless Chromium) against the test mesh: each browser logs
 * in through the page's development-issuer form and talks to a different gateway instance, so
 * everything one sees of the other crossed Kafka.
 */
class BrowserChatTest {

    private final TestMesh mesh = TestMesh.get();

    /** Two logged-in browsers with the same new room open, A on the first gateway and B on the second. */
    private record InRoom(Browser a, Browser b, String alice, String bob) implements AutoCloseable {

        static InRoom open(String roomPrefix) throws Exception {
            String room = createRoom(roomPrefix);
            TestMesh mesh = TestMesh.get();
            Browser a = Browser.open("A", http(mesh.gateway1), 1200);
            Browser b = null;
            try {
                b = Browser.open("B", http(mesh.gateway2), 1200);
                InRoom both = new InRoom(a, b, Browser.freshStudent(), Browser.freshStudent());
                a.login(both.alice()).openRoom(room);
                b.login(both.bob()).openRoom(room);
                return both;
            } catch (RuntimeException | Error e) {
                a.close();
                if (b != null) {
                    b.close();
                }
                throw e;
            }
        }

        @Override
        public void close() {
            try {
                a.close();
            } finally {
                b.close();
            }
        }
    }

    @Test
    void twoBrowsersChatSeeEachOtherTypeAndReactionsAppearOnTheOtherSide() throws Exception {
        try (InRoom both = InRoom.open("Browser chat")) {
            Browser a = both.a();
            Browser b = both.b();
            String alice = both.alice();

            a.type("hello from the first browser");
            b.waitUntil("A's typing shows", d -> d.findElement(By.id("typing")).getText().equals(alice + " is typing…"));
            a.send("");
            assertThat(b.message("hello from the first browser").findElement(By.cssSelector(".author")).getText()).isEqualTo(alice);
            b.waitUntil("the typist is gone once the message is sent", d -> d.findElement(By.id("typing")).getText().isEmpty());

            // B has the room open: A's message shows B's read receipt.
            a.waitUntil("B's read receipt", d -> a.message("hello from the first browser").findElements(By.cssSelector(".receipts"))
                    .stream().anyMatch(r -> r.getText().equals("Seen by " + both.bob())));

            b.send("hi, second browser here");
            a.message("hi, second browser here");

            // B reacts to A's message with the keyboard-reachable React button and the picker.
            // Esc closes the picker and gives the focus back to React; the second time B picks 👍.
            b.click(d -> b.message("hello from the first browser").findElement(By.cssSelector("[data-action=react]")));
            b.waitUntil("the picker has the focus", d -> d.switchTo().activeElement().getAttribute("data-emoji") != null);
            b.driver.switchTo().activeElement().sendKeys(Keys.ESCAPE);
            b.waitUntil("Esc closed the picker", d -> d.findElements(By.cssSelector(".emoji-picker")).isEmpty()
                    && "react".equals(d.switchTo().activeElement().getAttribute("data-action")));
            b.click(d -> b.message("hello from the first browser").findElement(By.cssSelector("[data-action=react]")));
            b.click(d -> d.findElement(By.cssSelector(".emoji-picker [data-emoji='👍']")));
            a.waitUntil("B's reaction shows on A's message", d -> a.message("hello from the first browser")
                    .findElements(By.cssSelector(".reaction[data-emoji='👍']")).stream()
                    .anyMatch(r -> r.getText().equals("👍 1")));

            // A edits its message (↑ in the empty box edits the last own message); B sees the new text.
            a.driver.findElement(By.id("composer-input")).sendKeys(Keys.ARROW_UP);
            a.waitUntil("edit mode", d -> d.findElement(By.cssSelector(".composer .mode")).isDisplayed()
                    && d.findElement(By.id("composer-input")).getAttribute("value").equals("hello from the first browser"));
            WebElement box = a.driver.findElement(By.id("composer-input"));
            box.clear();
            box.sendKeys("hello from the first browser, edited\n");
            b.waitUntil("the edit shows on B", d -> b.message("hello from the first browser, edited")
                    .findElement(By.cssSelector(".edited")).getText().equals("(edited)"));

            assertThat(a.messages()).containsExactly("hello from the first browser, edited", "hi, second browser here");
            assertThat(b.messages()).containsExactly("hello from the first browser, edited", "hi, second browser here");

            // A deletes it (and confirms); both pages keep a tombstone in its place.
            a.click(d -> a.message("hello from the first browser, edited").findElement(By.cssSelector("[data-action=delete]")));
            a.waitFor(d -> d.switchTo().alert()).accept();
            for (Browser page : List.of(a, b)) {
                page.waitUntil("the tombstone", d -> page.messages().equals(List.of("This message was deleted.", "hi, second browser here")));
            }

            // A attaches a file with a line of text; B downloads it (with B's token) byte for byte.
            Path notes = Files.createTempFile("notes", ".txt");
            Files.writeString(notes, "integrals: the area under a curve\n");
            a.type("the notes");
            a.driver.findElement(By.id("composer-file")).sendKeys(notes.toString());
            b.waitUntil("the attachment's button, named after the file, clicked", d -> {
                WebElement file = b.message("the notes").findElement(By.cssSelector("button.attachment"));
                if (!file.getText().contains(notes.getFileName().toString())) {
                    return false;
                }
                file.click();
                return true;
            });
            Path saved = b.downloads.resolve(notes.getFileName());
            String expected = Files.readString(notes);
            b.waitUntil("the download", d -> {
                try {
                    return Files.exists(saved) && Files.readString(saved).equals(expected);
                } catch (java.io.IOException e) {
                    return false;
                }
            });

            // An image shows inline on the other page: its bytes fetched with B's token, drawn from an object URL.
            Path picture = Files.createTempFile("sketch", ".png");
            java.awt.image.BufferedImage image = new java.awt.image.BufferedImage(60, 40, java.awt.image.BufferedImage.TYPE_INT_RGB);
            javax.imageio.ImageIO.write(image, "png", picture.toFile());
            a.driver.findElement(By.id("composer-file")).sendKeys(picture.toString());
            b.waitUntil("the image's preview", d -> Long.valueOf(60).equals(b.js("""
                    const img = [...document.querySelectorAll('#messages img.preview')].find(i => i.alt === arguments[0]);
                    return img && img.complete && img.src.startsWith('blob:') ? img.naturalWidth : null""",
                    picture.getFileName().toString())));
        }
    }

    @Test
    void repliesOpenAThreadAndAMentionChosenFromTheListHighlightsTheMessageForTheMentioned() throws Exception {
        try (InRoom both = InRoom.open("Browser threads")) {
            Browser a = both.a();
            Browser b = both.b();
            String alice = both.alice();
            String bob = both.bob();
            b.send("what is a monoid?");
            a.click(d -> a.message("what is a monoid?").findElement(By.cssSelector("[data-action=reply]")));
            a.waitUntil("reply mode", d -> d.findElement(By.cssSelector(".composer .mode")).getText().startsWith("Replying to " + bob));
            a.send("a set with an associative operation and an identity");

            b.waitUntil("the reply quotes the question", d -> b.message("a set with an associative operation and an identity")
                    .findElement(By.cssSelector(".reply-to")).getText().contains("what is a monoid?"));
            b.click(d -> b.message("what is a monoid?").findElement(By.cssSelector("[data-action=thread]")));
            b.waitUntil("the thread shows the question and its reply", d -> d.findElement(By.id("thread")).isDisplayed()
                    && d.findElements(By.cssSelector("#thread .msg .body")).stream().map(WebElement::getText).toList()
                    .equals(List.of("what is a monoid?", "a set with an associative operation and an identity")));

            // @ and the first letters of A's name open the list; Enter takes the first person.
            b.type("thanks @" + alice.substring(0, 10));
            b.waitUntil("the mention list offers A", d -> d.findElement(By.id("mention-list")).isDisplayed()
                    && d.findElements(By.cssSelector("#mention-list [role=option]")).stream()
                    .anyMatch(o -> alice.equals(o.getAttribute("data-user-id"))));
            b.type(Keys.ENTER.toString());
            b.waitUntil("the name is completed", d -> d.findElement(By.id("composer-input")).getAttribute("value")
                    .equals("thanks @" + alice + " "));
            b.send("!");
            a.waitUntil("the mention is highlighted for A", d -> a.message("thanks @" + alice + " !")
                    .getAttribute("class").contains("mentions-me"));

            // The mention rings A's bell (the list shows it, unread until "Mark all read"); A's reply rings B's.
            a.waitUntil("A's bell counts the mention", d -> d.findElement(By.id("bell-count")).getText().equals("1"));
            // A is on the quiz tab when it opens the mention from the bell: the chat comes back, at the message.
            a.driver.findElement(By.cssSelector("#views button[data-view=quiz]")).click();
            a.driver.findElement(By.id("bell")).click();
            // Checked and clicked inside the wait: the list is re-rendered when its HTTP page arrives, so an element
            // held across that render is stale.
            a.waitUntil("the mention is listed, unread, and opened", d -> {
                WebElement mention = d.findElements(By.cssSelector("#notification-list li.notification[data-kind=mention]"))
                        .stream().filter(li -> li.getAttribute("class").contains("unread")).findFirst().orElse(null);
                if (mention == null) {
                    return false;
                }
                mention.findElement(By.tagName("button")).click();
                return true;
            });
            a.waitUntil("the room, at the mentioning message", d -> d.findElement(By.id("view-chat")).isDisplayed()
                    && !d.findElement(By.id("notifications")).isDisplayed()
                    && "thanks @%s !".formatted(alice).equals(a.js(
                    "return document.activeElement.closest('li.msg.highlight')?.querySelector('.body').textContent")));
            a.waitUntil("opening it read it", d -> !d.findElement(By.id("bell-count")).isDisplayed());
            a.driver.findElement(By.id("bell")).click();
            a.driver.findElement(By.id("read-all")).click();
            a.waitUntil("the bell is quiet once all is read", d -> !d.findElement(By.id("bell-count")).isDisplayed()
                    && !d.findElement(By.cssSelector("#notification-list li.notification")).getAttribute("class").contains("unread"));
            b.waitUntil("B's bell counts A's reply", d -> d.findElement(By.id("bell-count")).getText().equals("1"));
        }
    }

    @Test
    void aDirectMessageShowsAsUnreadForTheOtherUserUntilTheyOpenIt() throws Exception {
        String alice = Browser.freshStudent();
        String bob = Browser.freshStudent();
        try (Browser a = Browser.open("A", http(mesh.gateway1), 1200);
             Browser b = Browser.open("B", http(mesh.gateway2), 1200)) {
            a.login(alice);
            b.login(bob);
            WebElement who = a.driver.findElement(By.id("new-dm-user"));
            who.sendKeys(bob + "\n");
            a.waitUntil("the conversation opens", d -> bob.equals(d.findElement(By.id("room-title")).getText()));
            a.send("psst, a direct message");
            a.message("psst, a direct message");

            By item = By.cssSelector("#dm-list .room-item");
            b.waitUntil("the conversation is listed with one unread message", d -> d.findElements(item).stream()
                    .anyMatch(e -> e.getText().contains(alice) && e.findElements(By.cssSelector(".badge")).stream()
                            .anyMatch(badge -> badge.getText().equals("1"))));
            b.click(d -> d.findElement(item));
            b.message("psst, a direct message");
            b.waitUntil("read: no badge", d -> d.findElement(item).findElements(By.cssSelector(".badge")).isEmpty());
            b.send("got it");
            a.message("got it");
            assertThat(a.messages()).containsExactly("psst, a direct message", "got it");
        }
    }

    @Test
    void aRoomOpensOnItsLatestFiftyMessagesAndOlderOnesLoadOnRequest() throws Exception {
        String[] room = createRoomWithId("Browser history");
        // 55 messages, posted one after another by three users (each well inside its rate budget).
        List<WsTestClient> posters = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                WsTestClient poster = TestMesh.connectWithHeader(mesh.gateway1, Browser.freshStudent());
                TestMesh.join(poster, room[1]);
                posters.add(poster);
            }
            for (int n = 1; n <= 55; n++) {
                WsTestClient poster = posters.get(n % 3);
                String id = poster.sendCommand("chat:message", Map.of("roomId", room[1], "content", "message " + n));
                assertThat(TestMesh.text(poster.awaitReply(id, TestMesh.WAIT), "type")).isEqualTo("ack");
            }
        } finally {
            posters.forEach(WsTestClient::close);
        }
        try (Browser page = Browser.open("A", http(mesh.gateway2), 1200)) {
            page.login(Browser.freshStudent()).openRoom(room[0]);
            List<String> expected = IntStream.rangeClosed(1, 55).mapToObj(n -> "message " + n).toList();
            page.waitUntil("the latest 50", d -> page.messages().equals(expected.subList(5, 55)));
            page.click(d -> d.findElement(By.cssSelector("button.older")));
            page.waitUntil("all 55 after one older page", d -> page.messages().equals(expected));
            assertThat(page.driver.findElement(By.cssSelector("button.older")).isDisplayed()).as("no more history").isFalse();
        }
    }

    @Test
    void thePresenceDotTurnsGreyAfterTheOtherBrowserCloses() throws Exception {
        String room = createRoom("Browser presence");
        String watcher = Browser.freshStudent();
        String leaver = Browser.freshStudent();
        try (Browser a = Browser.open("A", http(mesh.gateway1), 1200)) {
            a.login(watcher).openRoom(room);
            Browser b = Browser.openPhone("B", http(mesh.gateway2));
            try {
                b.login(leaver).openRoom(room);
                assertThat(b.horizontalOverflow()).as("the room fits the phone's width").isZero();
                a.waitUntil(leaver + " shows online", d -> "online".equals(a.presenceOf(leaver)));

                // B sets a custom status from its header; A's dot for B shows it.
                b.click(d -> d.findElement(By.id("status-button")));
                new Select(b.driver.findElement(By.id("status-select"))).selectByValue("busy");
                b.driver.findElement(By.id("status-text")).sendKeys("Grading exams\n");
                a.waitUntil(leaver + " shows busy with the text", d -> "busy".equals(a.presenceOf(leaver))
                        && d.findElement(By.cssSelector("#people [data-presence-user='" + leaver + "']"))
                        .getAttribute("title").contains("Grading exams"));
                long closedAt = System.nanoTime();
                b.close();
                a.waitUntil(leaver + " shows offline", d -> "offline".equals(a.presenceOf(leaver)));
                String colour = (String) a.js("return getComputedStyle(arguments[0]).backgroundColor",
                        a.driver.findElement(By.cssSelector("#people [data-presence-user='" + leaver + "']")));
                assertThat(colour).as("the offline dot is grey").isEqualTo("rgb(154, 163, 171)");
                System.out.printf("browser: %s's dot turned grey %d ms after the browser closed%n", leaver,
                        (System.nanoTime() - closedAt) / 1_000_000);
            } finally {
                b.close();
            }
        }
    }

    /** A public room with a unique name, created by the instructor over HTTP. */
    static String createRoom(String prefix) throws Exception {
        return createRoomWithId(prefix)[0];
    }

    /** {name, id} of a new public room. */
    static String[] createRoomWithId(String prefix) throws Exception {
        TestMesh mesh = TestMesh.get();
        String name = prefix + " " + UUID.randomUUID().toString().substring(0, 6);
        HttpResponse<String> created = TestMesh.post(mesh.gateway1, "/api/chat/rooms", TestMesh.token("ada", "instructor"),
                MeshJson.write(Map.of("name", name, "type", "public")));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String id = MeshJson.read(created.body(), JsonNode.class).get("id").asString();
        assertThat(id).isNotBlank();
        return new String[] {name, id};
    }
}
