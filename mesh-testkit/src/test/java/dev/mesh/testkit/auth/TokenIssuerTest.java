package dev.mesh.testkit.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Set;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import dev.mesh.contracts.MeshJson;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class TokenIssuerTest {

    private static final HttpClient http = HttpClient.newHttpClient();
    private static TokenIssuer issuer;

    @BeforeAll
    static void start() {
        issuer = new TokenIssuer(0, UserDirectory.demo());
    }

    @AfterAll
    static void stop() {
        issuer.close();
    }

    @Test
    void aTokenVerifiesAgainstTheJwkSetFetchedOverHttp() throws Exception {
        String token = issuer.token("u-1", "Ada", List.of("instructor"));

        JWTClaimsSet claims = verifier().process(token, null);

        assertThat(claims.getSubject()).isEqualTo("u-1");
        assertThat(claims.getStringClaim("name")).isEqualTo("Ada");
        assertThat(claims.getStringListClaim("roles")).containsExactly("instructor");
        assertThat(claims.getIssuer()).isEqualTo(issuer.issuerUri());
        assertThat(claims.getAudience()).containsExactly("mesh");
        assertThat(claims.getJWTID()).isNotBlank();
        assertThat(claims.getExpirationTime().getTime() - claims.getIssueTime().getTime()).isEqualTo(Duration.ofMinutes(15).toMillis());
        assertThat(issuer.jwksUri()).isEqualTo(issuer.issuerUri() + "/.well-known/jwks.json");
    }

    @Test
    void expiredForeignOrWronglySignedTokensDoNotVerify() throws Exception {
        DefaultJWTProcessor<SecurityContext> verifier = verifier();
        List<String> roles = List.of("student");
        String expired = issuer.forUser("u-2", "Alan", roles).ttl(Duration.ofMinutes(-5)).sign();
        String unknownKey = issuer.forUser("u-2", "Alan", roles).signedWithUnknownKey().sign();
        String otherIssuer = issuer.forUser("u-2", "Alan", roles).issuer("http://elsewhere").sign();
        String otherAudience = issuer.forUser("u-2", "Alan", roles).audience("not-mesh").sign();

        for (String bad : List.of(expired, unknownKey, otherIssuer, otherAudience)) {
            assertThatThrownBy(() -> verifier.process(bad, null)).isInstanceOf(Exception.class);
        }
        assertThatThrownBy(() -> verifier.process(unknownKey, null)).hasMessageContaining("Signed JWT rejected");
        assertThatThrownBy(() -> verifier.process(expired, null)).hasMessageContaining("Expired");
    }

    @Test
    void attackTokensAreWhatTheySayAndDoNotVerify() throws Exception {
        DefaultJWTProcessor<SecurityContext> verifier = verifier();
        TokenIssuer.TokenSpec alan = issuer.forUser("u-2", "Alan", List.of("student"));
        String none = alan.signWithAlgNone();
        String confused = alan.signHs256WithThePublicKey();
        String early = issuer.forUser("u-2", "Alan", List.of("student")).notBefore(Instant.now().plus(Duration.ofMinutes(10))).sign();
        String raised = TokenIssuer.tampered(issuer.token("u-2", "Alan", List.of("student")), "roles", List.of("admin"));

        assertThat(JWTParser.parse(none).getHeader().getAlgorithm().getName()).isEqualTo("none");
        assertThat(none).endsWith(".");
        SignedJWT hs256 = SignedJWT.parse(confused);
        assertThat(hs256.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.HS256);
        assertThat(hs256.verify(new MACVerifier(issuer.publicKeyPem().getBytes(StandardCharsets.US_ASCII)))).isTrue();
        assertThat(SignedJWT.parse(early).getJWTClaimsSet().getNotBeforeTime()).isAfter(new Date());
        assertThat(SignedJWT.parse(raised).getJWTClaimsSet().getStringListClaim("roles")).containsExactly("admin");

        for (String bad : List.of(none, confused, early, raised)) {
            assertThatThrownBy(() -> verifier.process(bad, null)).isInstanceOf(Exception.class);
        }
    }

    @Test
    void devTokenForADemoUserCarriesItsRoles() throws Exception {
        HttpResponse<String> response = post("{\"user\": \"ada\"}");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Access-Control-Allow-Origin")).hasValue("*");
        JsonNode body = MeshJson.mapper().readTree(response.body());
        assertThat(body.get("expires_in").asInt()).isEqualTo(900);
        assertThat(body.at("/user/id").asString()).isEqualTo("ada");
        assertThat(body.at("/user/roles").toString()).isEqualTo("[\"instructor\"]");
        JWTClaimsSet claims = verifier().process(body.get("access_token").asString(), null);
        assertThat(claims.getSubject()).isEqualTo("ada");
        assertThat(claims.getStringListClaim("roles")).containsExactly("instructor");
    }

    @Test
    void numberedLoadTestUsersGetTheirRoleAndUnknownNamesA404() throws Exception {
        JsonNode student = MeshJson.mapper().readTree(post("{\"user\": \"student-7\"}").body());
        assertThat(student.at("/user/id").asString()).isEqualTo("student-7");
        assertThat(student.at("/user/roles/0").asString()).isEqualTo("student");

        HttpResponse<String> unknown = post("{\"user\": \"mallory\"}");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.headers().firstValue("Content-Type")).hasValue("application/problem+json");

        assertThat(post("not json").statusCode()).isEqualTo(400);
        assertThat(post("{\"name\": \"ada\"}").statusCode()).isEqualTo(400);
    }

    @Test
    void devEndpointsListUsersAndAnswerCorsPreflight() throws Exception {
        HttpResponse<String> users = http.send(HttpRequest.newBuilder(URI.create(issuer.issuerUri() + "/dev/users")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(users.statusCode()).isEqualTo(200);
        assertThat(MeshJson.mapper().readTree(users.body()).findValuesAsString("id"))
                .contains("ada", "grace", "alan", "barbara", "edsger", "margaret");

        HttpResponse<String> preflight = http.send(HttpRequest.newBuilder(URI.create(issuer.issuerUri() + "/dev/token"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", "http://localhost:8080")
                .header("Access-Control-Request-Method", "POST")
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(preflight.statusCode()).isEqualTo(204);
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Methods")).hasValueSatisfying(v -> assertThat(v).contains("POST"));
    }

    @Test
    void anIssuerWithoutUsersServesNoDevEndpoints() throws Exception {
        try (TokenIssuer plain = new TokenIssuer(0)) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(plain.issuerUri() + "/dev/token"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"user\": \"ada\"}")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(404);
        }
    }

    private static DefaultJWTProcessor<SecurityContext> verifier() throws Exception {
        HttpResponse<String> jwks = http.send(HttpRequest.newBuilder(URI.create(issuer.jwksUri())).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(jwks.statusCode()).isEqualTo(200);
        JWKSet keys = JWKSet.parse(jwks.body());
        assertThat(keys.getKeys()).hasSize(1);
        assertThat(keys.getKeys().getFirst().isPrivate()).isFalse();

        DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(JWSAlgorithm.RS256, new ImmutableJWKSet<>(keys)));
        processor.setJWTClaimsSetVerifier(new DefaultJWTClaimsVerifier<>("mesh",
                new JWTClaimsSet.Builder().issuer(issuer.issuerUri()).build(), Set.of("sub", "exp", "iat", "jti")));
        return processor;
    }

    private static HttpResponse<String> post(String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(issuer.issuerUri() + "/dev/token"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
