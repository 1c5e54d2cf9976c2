package dev.mesh.dev;

import static dev.mesh.dev.TestMesh.connectWithHeader;
import static dev.mesh.dev.TestMesh.http;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;

import dev.mesh.testkit.ws.WsTestClient;

/**
 * The admin view in a real browser: an admin sees it and its live connection count moves when
 * clients connect to the other gateway; a student has no such view. With
 * {@code -Dmesh.screenshots=<folder>} it saves the view as {@code admin.png} there
 * (docs/screenshots/admin.png was made so).
 */
class BrowserAdminTest {

    private final TestMesh mesh = TestMesh.get();

    @Test
    void anAdminSeesLiveFiguresMoveWhenClientsConnectAndAStudentHasNoAdminView() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        List<WsTestClient> clients = new ArrayList<>();
        try (Browser admin = Browser.open("admin", http(mesh.gateway1), 1280);
             Browser student = Browser.open("student", http(mesh.gateway2), 1000)) {
            admin.login("grace");
            admin.click(d -> d.findElement(By.cssSelector("#views button[data-view=admin]")));
            admin.waitUntil("the admin view shows live figures", d -> d.findElement(By.id("view-admin")).isDisplayed()
                    && count(d.findElement(By.cssSelector("#admin-total-connections .value")).getText()) >= 1);
            int before = count(admin.driver.findElement(By.cssSelector("#admin-total-connections .value")).getText());

            for (int i = 0; i < 3; i++) {
                clients.add(connectWithHeader(mesh.gateway2, "watched" + i + "-" + run));
            }
            // On the other gateway: the count reaches the admin's page through gateway-b's heartbeats.
            admin.waitUntil("the connection count moves", d ->
                    count(d.findElement(By.cssSelector("#admin-total-connections .value")).getText()) >= before + 3);
            admin.waitUntil("a line per gateway instance", d ->
                    d.findElements(By.cssSelector("#admin-chart-connections path")).size() >= 2
                            && d.findElements(By.cssSelector("#admin-instances tr[data-instance=gateway-b]")).size() == 1);

            student.login(Browser.freshStudent());
            assertThat(student.driver.findElements(By.cssSelector("#views button[data-view=admin]"))).isEmpty();
            assertThat(student.driver.findElements(By.id("view-admin"))).isEmpty();

            String folder = System.getProperty("mesh.screenshots");
            if (folder != null && !folder.isBlank()) {
                admin.waitUntil("a few samples drawn", d -> count(d.findElement(By.id("view-admin")).getAttribute("data-samples")) >= 8);
                Files.createDirectories(Path.of(folder));
                Files.write(Path.of(folder, "admin.png"), admin.driver.getScreenshotAs(OutputType.BYTES));
            }
        } finally {
            clients.forEach(WsTestClient::close);
        }
    }

    private static int count(String text) {
        try {
            return Integer.parseInt(text.trim());
        } catch (RuntimeException e) {
            return -1;
        }
    }
}
