package dev.mesh.dev;

import static dev.mesh.dev.TestMesh.http;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The page served through the load balancer loses its gateway: two gateway instances of this
 * test's own behind a round-robin {@link LoadBalancer} (the shared ones are left alone), and
 * the one browser A landed on is stopped while browser B keeps posting from another gateway.
 */
class BrowserNetworkCutTest {

    private final TestMesh mesh = TestMesh.get();

    @Test
    void whenItsGatewayStopsThePageShowsReconnectingMovesToTheOtherAndShowsWhatWasSentMeanwhileOnceInOrder() throws Exception {
        String room = BrowserChatTest.createRoom("Browser cut");
        Map<String, ConfigurableApplicationContext> gateways = new LinkedHashMap<>();
        for (String id : List.of("web-a", "web-b")) {
            gateways.put(id, mesh.mesh.startGateway(id, 0, mesh.devTokenIssuerArgument()));
        }
        LoadBalancer balancer = new LoadBalancer(0, gateways.values().stream().map(MeshLauncher::localPort).toList());
        try (Browser a = Browser.open("A", http(balancer.port()), 1200);
             Browser b = Browser.open("B", http(mesh.gateway1), 1200)) {
            a.login(Browser.freshStudent()).openRoom(room);
            b.login(Browser.freshStudent()).openRoom(room);
            b.send("before the cut");
            a.message("before the cut");

            String first = (String) a.js("return window.meshClient.welcome.instanceId");
            assertThat(gateways).containsKey(first);
            // Every change of the connection banner, as the page showed it.
            a.js("""
                    window.bannerLog = [];
                    const el = document.getElementById('connection');
                    new MutationObserver(() => window.bannerLog.push((el.hidden ? 'hidden: ' : 'shown: ') + el.textContent))
                      .observe(el, {childList: true, subtree: true, attributes: true, characterData: true});""");

            ConfigurableApplicationContext doomed = gateways.remove(first);
            long stopAt = System.nanoTime();
            Thread stopper = Thread.ofVirtual().start(() -> mesh.mesh.stopGateway(doomed));
            a.waitUntil("the page shows reconnecting…", d -> bannerLog(a).stream().anyMatch(s -> s.startsWith("shown: reconnecting…")));
            String stateWhenTyped = (String) a.js("return document.body.dataset.connection");
            a.send("typed by A while cut off");
            for (int i = 1; i <= 3; i++) {
                b.send("during the cut " + i);
                Thread.sleep(200);
            }
            stopper.join(Duration.ofSeconds(60));
            assertThat(stopper.isAlive()).as("the gateway stopped").isFalse();
            b.send("after the cut");

            a.waitUntil("A is back, on the other instance", d -> "open".equals(a.js("return document.body.dataset.connection"))
                    && !first.equals(a.js("return window.meshClient.welcome.instanceId")));
            String second = (String) a.js("return window.meshClient.welcome.instanceId");
            long backAfter = (System.nanoTime() - stopAt) / 1_000_000;
            assertThat(gateways).containsKey(second);
            WebElement banner = a.driver.findElement(By.id("connection"));
            assertThat(banner.isDisplayed()).as("the banner is gone once connected").isFalse();

            a.message("after the cut");
            b.message("typed by A while cut off");
            List<String> expectedOrder = b.messages();
            assertThat(expectedOrder).as("B's page").hasSize(6).doesNotHaveDuplicates()
                    .contains("typed by A while cut off")
                    .containsSubsequence("before the cut", "during the cut 1", "during the cut 2", "during the cut 3", "after the cut");
            assertThat(a.messages()).as("A's page: each message once, in the room's order")
                    .containsExactlyElementsOf(expectedOrder);
            assertThat(a.driver.findElements(By.cssSelector("#messages > li.pending"))).as("nothing left pending").isEmpty();
            List<Long> seqs = a.driver.findElements(By.cssSelector("#messages > li.msg")).stream()
                    .map(e -> Long.parseLong(e.getAttribute("data-seq"))).toList();
            assertThat(seqs).isSorted().doesNotHaveDuplicates();
            System.out.printf("browser: %s stopped → page back on %s after %d ms (A typed while %s); banner: %s%n",
                    first, second, backAfter, stateWhenTyped, bannerLog(a));
        } finally {
            balancer.close();
            gateways.values().forEach(mesh.mesh::stopGateway);
        }
    }

    private static List<String> bannerLog(Browser browser) {
        Object log = browser.js("return window.bannerLog || []");
        return ((List<?>) log).stream().map(String::valueOf).toList();
    }
}
