package dev.mesh.dev;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

import dev.mesh.contracts.MeshJson;

/**
 * The parts of an OpenID provider a browser's authorization code + PKCE login touches:
 * discovery, {@code /authorize} (which signs in one fixed user at once, where a real provider
 * would show its login page) and {@code /token} for the code and refresh grants. It checks what
 * a real one checks — client id, redirect URI, S256 challenge against the verifier, one use
 * per code — and records every refusal, so a test can show the client did it right. The
 * access tokens come from the test mesh's issuer, which the gateways trust.
 */
final class FakeOpenIdProvider implements AutoCloseable {

    private record Grant(String challenge, String redirectUri) {
    }

    private final String clientId;
    private final Supplier<String> accessToken;
    private final Map<String, Grant> codes = new ConcurrentHashMap<>();
    private final Map<String, Boolean> refreshTokens = new ConcurrentHashMap<>();
    final List<String> refusals = new CopyOnWriteArrayList<>();
    final List<String> grants = new CopyOnWriteArrayList<>();
    private final DisposableServer server;
    private final String issuer;

    FakeOpenIdProvider(String clientId, Supplier<String> accessToken) {
        this.clientId = clientId;
        this.accessToken = accessToken;
        this.server = HttpServer.create().host("127.0.0.1").port(0).handle(this::handle).bindNow(Duration.ofSeconds(10));
        this.issuer = "http://localhost:" + server.port();
    }

    String issuer() {
        return issuer;
    }

    private Mono<Void> handle(HttpServerRequest request, HttpServerResponse response) {
        QueryStringDecoder uri = new QueryStringDecoder(request.uri());
        response.header("Access-Control-Allow-Origin", "*").header("Cache-Control", "no-store");
        return switch (uri.path()) {
            case "/.well-known/openid-configuration" -> json(response, HttpResponseStatus.OK, Map.of(
                    "issuer", issuer, "authorization_endpoint", issuer + "/authorize", "token_endpoint", issuer + "/token",
                    "end_session_endpoint", issuer + "/logout", "code_challenge_methods_supported", List.of("S256")));
            case "/authorize" -> authorize(uri.parameters(), response);
            case "/token" -> request.receive().aggregate().asString(StandardCharsets.UTF_8).defaultIfEmpty("")
                    .flatMap(body -> token(new QueryStringDecoder(body, false).parameters(), response));
            default -> response.status(HttpResponseStatus.NOT_FOUND).send();
        };
    }

    private Mono<Void> authorize(Map<String, List<String>> query, HttpServerResponse response) {
        String redirect = first(query, "redirect_uri");
        if (!clientId.equals(first(query, "client_id")) || !"code".equals(first(query, "response_type"))
                || !"S256".equals(first(query, "code_challenge_method")) || first(query, "code_challenge") == null
                || first(query, "state") == null || redirect == null || !first(query, "scope").contains("openid")) {
            refusals.add("authorize: " + query);
            return response.status(HttpResponseStatus.BAD_REQUEST).sendString(Mono.just("invalid_request")).then();
        }
        String code = UUID.randomUUID().toString();
        codes.put(code, new Grant(first(query, "code_challenge"), redirect));
        String back = redirect + (redirect.contains("?") ? "&" : "?") + "code=" + code + "&state="
                + URLEncoder.encode(first(query, "state"), StandardCharsets.UTF_8);
        return response.status(HttpResponseStatus.FOUND).header("Location", URI.create(back).toString()).send();
    }

    private Mono<Void> token(Map<String, List<String>> form, HttpServerResponse response) {
        String grantType = first(form, "grant_type");
        if (!clientId.equals(first(form, "client_id"))) {
            return refuse(response, "token: wrong client " + form);
        }
        if ("authorization_code".equals(grantType)) {
            Grant grant = codes.remove(String.valueOf(first(form, "code")));
            if (grant == null) {
                return refuse(response, "token: unknown or reused code");
            }
            if (!grant.redirectUri().equals(first(form, "redirect_uri"))) {
                return refuse(response, "token: redirect_uri differs from the authorization request");
            }
            String verifier = first(form, "code_verifier");
            if (verifier == null || !grant.challenge().equals(s256(verifier))) {
                return refuse(response, "token: the code_verifier does not match the S256 challenge");
            }
        } else if ("refresh_token".equals(grantType)) {
            if (refreshTokens.remove(String.valueOf(first(form, "refresh_token"))) == null) {
                return refuse(response, "token: unknown refresh token");
            }
        } else {
            return refuse(response, "token: grant_type " + grantType);
        }
        grants.add(grantType);
        String refresh = UUID.randomUUID().toString();
        refreshTokens.put(refresh, true);
        return json(response, HttpResponseStatus.OK, Map.of("access_token", accessToken.get(), "token_type", "Bearer",
                "expires_in", 900, "refresh_token", refresh));
    }

    private Mono<Void> refuse(HttpServerResponse response, String why) {
        refusals.add(why);
        return json(response, HttpResponseStatus.BAD_REQUEST, Map.of("error", "invalid_grant", "error_description", why));
    }

    private static Mono<Void> json(HttpServerResponse response, HttpResponseStatus status, Object body) {
        return response.status(status).header("Content-Type", "application/json")
                .sendString(Mono.just(MeshJson.write(body)), StandardCharsets.UTF_8).then();
    }

    private static String first(Map<String, List<String>> parameters, String name) {
        List<String> values = parameters.get(name);
        return values == null || values.isEmpty() ? null : values.getFirst();
    }

    private static String s256(String verifier) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.disposeNow(Duration.ofSeconds(5));
    }
}
