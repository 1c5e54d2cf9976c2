package dev.mesh.dev;

import static dev.mesh.dev.TestMesh.http;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Production login: a gateway with no development issuer and an OpenID provider configured
 * ({@code mesh.gateway.oidc.*}). The page goes through authorization code + PKCE and connects
 * with the token it got; a reload logs in again with the refresh token.
 */
class BrowserOidcLoginTest {

    private final TestMesh mesh = TestMesh.get();

    @Test
    void thePageLogsInWithAuthorizationCodeAndPkceThenAgainWithTheRefreshTokenAfterAReload() {
        String user = Browser.freshStudent();
        try (FakeOpenIdProvider idp = new FakeOpenIdProvider("mesh-web", () -> TestMesh.token(user, "student"))) {
            ConfigurableApplicationContext gateway = mesh.mesh.startGateway("web-oidc", 0,
                    "--mesh.gateway.oidc.issuer=" + idp.issuer(), "--mesh.gateway.oidc.client-id=mesh-web");
            try (Browser page = Browser.open("OIDC", http(MeshLauncher.localPort(gateway)), 1200)) {
                page.click(d -> d.findElement(By.id("oidc-login")).isDisplayed() ? d.findElement(By.id("oidc-login")) : null);
                page.waitUntil("logged in and connected", d -> "open".equals(page.js("return document.body.dataset.connection")));
                assertThat(page.driver.findElement(By.cssSelector("#status-button .me-name")).getText()).isEqualTo(user);
                assertThat(page.driver.getCurrentUrl()).as("the code is gone from the address bar").doesNotContain("code=");
                assertThat(idp.grants).containsExactly("authorization_code");

                page.driver.navigate().refresh();
                page.waitUntil("logged in again after the reload", d -> "open".equals(page.js("return document.body.dataset.connection")));
                assertThat(idp.grants).containsExactly("authorization_code", "refresh_token");
                assertThat(idp.refusals).as("every request the provider refused").isEmpty();
                assertThat(page.driver.findElements(By.id("login"))).isEmpty();
            } finally {
                mesh.mesh.stopGateway(gateway);
            }
        }
    }
}
