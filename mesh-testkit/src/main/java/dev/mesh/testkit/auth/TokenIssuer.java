package dev.mesh.testkit.auth;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.mesh.contracts.MeshJson;
import dev.mesh.testkit.auth.UserDirectory.User;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * An RS256 token issuer with its JWK set served over HTTP, for tests and for the local mesh.
 * The key pair lives only as long as this object: restart the issuer and old tokens stop
 * verifying, as they would after a key rotation.
 *
 * <p>Serves {@code GET /.well-known/jwks.json}; constructed with a {@link UserDirectory}, also
 * the development endpoints {@code GET /dev/users} and {@code POST /dev/token}
 * ({@code {"user": "<name>"}}), with CORS open to any origin because the web client calls
 * them from another port.
 */
public final class TokenIssuer implements AutoCloseable {

    public static final String AUDIENCE = "mesh";
    public static final Duration DEFAULT_TTL = Duration.ofMinutes(15);

    private static final String JWKS_PATH = "/.well-known/jwks.json";
    private static final String JSON = "application/json";
    private static final String PROBLEM_JSON = "application/problem+json";

    private final RSAKey key;
    private final String jwksJson;
    private final UserDirectory users;
    private final DisposableServer server;
    private final String issuerUri;

    /** An issuer on {@code port} (0 = random) serving only its JWK set. */
    public TokenIssuer(int port) {
        this(port, null);
    }

    /** An issuer on {@code port} (0 = random) that also hands out tokens for {@code users} (null = none). */
    public TokenIssuer(int port, UserDirectory users) {
        this.key = generateKey(UUID.randomUUID().toString());
        this.jwksJson = new JWKSet(key.toPublicJWK()).toString();
        this.users = users;
        // Loopback only: a development issuer signs tokens for anyone who asks.
        this.server = HttpServer.create()
                .host("127.0.0.1")
                .port(port)
                .handle(this::handle)
                .bindNow(Duration.ofSeconds(10));
        this.issuerUri = "http://localhost:" + server.port();
    }

    public String issuerUri() {
        return issuerUri;
    }

    public String jwksUri() {
        return issuerUri + JWKS_PATH;
    }

    public int port() {
        return server.port();
    }

    /** The public keys, for verifiers that do not fetch them over HTTP. */
    public JWKSet jwkSet() {
        return new JWKSet(key.toPublicJWK());
    }

    /** A valid token: audience {@value #AUDIENCE}, this issuer, {@link #DEFAULT_TTL}. */
    public String token(String userId, String name, List<String> roles) {
        return forUser(userId, name, roles).sign();
    }

    public String token(User user) {
        return token(user.id(), user.name(), user.roles());
    }

    /** A token to adjust before {@link TokenSpec#sign()}: for tests of what a verifier must reject. */
    public TokenSpec forUser(String userId, String name, List<String> roles) {
        return new TokenSpec(userId, name, roles);
    }

    @Override
    public void close() {
        server.disposeNow(Duration.ofSeconds(5));
    }

    /** One token's claims and key; starts out valid. */
    public final class TokenSpec {

        private final String userId;
        private final String name;
        private final List<String> roles;
        private final Map<String, Object> extraClaims = new LinkedHashMap<>();
        private Duration ttl = DEFAULT_TTL;
        private String issuer = issuerUri;
        private String audience = AUDIENCE;
        private boolean unknownKey;
        private Instant notBefore;

        private TokenSpec(String userId, String name, List<String> roles) {
            this.userId = userId;
            this.name = name;
            this.roles = List.copyOf(roles);
        }

        /**
         * Lifetime from now; negative gives an already expired token. Verifiers allow some
         * clock skew (Spring Security: 60 s), so expire it by more than that.
         */
        public TokenSpec ttl(Duration ttl) {
            this.ttl = ttl;
            return this;
        }

        public TokenSpec issuer(String issuer) {
            this.issuer = issuer;
            return this;
        }

        public TokenSpec audience(String audience) {
            this.audience = audience;
            return this;
        }

        /** Signed with a key that is not in the JWK set, under the same key id, so only the signature check can catch it. */
        public TokenSpec signedWithUnknownKey() {
            this.unknownKey = true;
            return this;
        }

        /** Not valid before {@code notBefore} ({@code nbf}); verifiers allow some clock skew (60 s), so put it further ahead. */
        public TokenSpec notBefore(Instant notBefore) {
            this.notBefore = notBefore;
            return this;
        }

        /** Any further claim, or a replacement of a standard one. */
        public TokenSpec claim(String claim, Object value) {
            extraClaims.put(claim, value);
            return this;
        }

        public String sign() {
            RSAKey signingKey = unknownKey ? UnknownKey.forKeyId(key.getKeyID()) : key;
            return TokenIssuer.sign(signingKey, claims());
        }

        /** The same claims unsigned: header {@code {"alg":"none"}} and an empty signature. */
        public String signWithAlgNone() {
            return new PlainJWT(claims()).serialize();
        }

        /**
         * The same claims signed HS256 with the issuer's public key (its PEM text) as the HMAC
         * secret: the algorithm-confusion attack on verifiers that take the key but trust the
         * token's {@code alg}.
         */
        public String signHs256WithThePublicKey() {
            JWSHeader header = new JWSHeader.Builder(JWSAlgorithm.HS256)
                    .keyID(key.getKeyID())
                    .type(JOSEObjectType.JWT)
                    .build();
            SignedJWT jwt = new SignedJWT(header, claims());
            try {
                jwt.sign(new MACSigner(publicKeyPem().getBytes(StandardCharsets.US_ASCII)));
            } catch (JOSEException e) {
                throw new IllegalStateException("cannot sign a token", e);
            }
            return jwt.serialize();
        }

        private JWTClaimsSet claims() {
            Instant now = Instant.now();
            Instant expires = now.plus(ttl);
            // An expired token was issued a full lifetime before it expired, as a real one would have been.
            Instant issued = ttl.isNegative() ? expires.minus(DEFAULT_TTL) : now;
            JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                    .subject(userId)
                    .claim("name", name)
                    .claim("roles", roles)
                    .issuer(issuer)
                    .audience(audience)
                    .issueTime(Date.from(issued))
                    .expirationTime(Date.from(expires))
                    .jwtID(UUID.randomUUID().toString());
            if (notBefore != null) {
                claims.notBeforeTime(Date.from(notBefore));
            }
            extraClaims.forEach(claims::claim);
            return claims.build();
        }
    }

    /** This issuer's public key as PEM text, as it would be published. */
    public String publicKeyPem() {
        try {
            String base64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                    .encodeToString(key.toRSAPublicKey().getEncoded());
            return "-----BEGIN PUBLIC KEY-----\n" + base64 + "\n-----END PUBLIC KEY-----\n";
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot export the public key", e);
        }
    }

    /**
     * {@code token} with one payload claim replaced (e.g. {@code roles} raised to admin) and
     * its header and signature kept as they were: a tampered token whose signature no longer
     * matches.
     */
    public static String tampered(String token, String claim, Object value) {
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3) {
            throw new IllegalArgumentException("not a signed JWT");
        }
        Base64.Decoder decoder = Base64.getUrlDecoder();
        tools.jackson.databind.node.ObjectNode payload = (tools.jackson.databind.node.ObjectNode)
                MeshJson.mapper().readTree(new String(decoder.decode(parts[1]), StandardCharsets.UTF_8));
        payload.set(claim, MeshJson.tree(value));
        String encoded = Base64.getUrlEncoder().withoutPadding()
                .encodeToString(MeshJson.write(payload).getBytes(StandardCharsets.UTF_8));
        return parts[0] + "." + encoded + "." + parts[2];
    }

    private static String sign(RSAKey signingKey, JWTClaimsSet claims) {
        JWSHeader header = new JWSHeader.Builder(JWSAlgorithm.RS256)
                .keyID(signingKey.getKeyID())
                .type(JOSEObjectType.JWT)
                .build();
        SignedJWT jwt = new SignedJWT(header, claims);
        try {
            jwt.sign(new RSASSASigner(signingKey));
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign a token", e);
        }
        return jwt.serialize();
    }

    private static RSAKey generateKey(String keyId) {
        try {
            return new RSAKeyGenerator(2048)
                    .keyID(keyId)
                    .keyUse(KeyUse.SIGNATURE)
                    .algorithm(JWSAlgorithm.RS256)
                    .generate();
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot generate an RSA key", e);
        }
    }

    /** One stranger's key for the whole JVM: generating RSA keys costs ~100 ms each. */
    private static final class UnknownKey {

        private static final RSAKey KEY = generateKey("unknown");

        static RSAKey forKeyId(String keyId) {
            return new RSAKey.Builder(KEY).keyID(keyId).build();
        }
    }

    // HTTP

    private Publisher<Void> handle(HttpServerRequest request, HttpServerResponse response) {
        String path = new QueryStringDecoder(request.uri()).path();
        HttpMethod method = request.method();
        if (path.equals(JWKS_PATH) && method.equals(HttpMethod.GET)) {
            return send(response, HttpResponseStatus.OK, JSON, jwksJson);
        }
        if (users != null && path.startsWith("/dev/")) {
            response.header("Access-Control-Allow-Origin", "*")
                    .header("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
                    .header("Access-Control-Allow-Headers", "Content-Type, Authorization")
                    .header("Access-Control-Max-Age", "600");
            if (method.equals(HttpMethod.OPTIONS)) {
                return response.status(HttpResponseStatus.NO_CONTENT).send();
            }
            if (path.equals("/dev/users") && method.equals(HttpMethod.GET)) {
                return send(response, HttpResponseStatus.OK, JSON, MeshJson.write(users.users()));
            }
            if (path.equals("/dev/token") && method.equals(HttpMethod.POST)) {
                return request.receive().aggregate().asString(StandardCharsets.UTF_8)
                        .defaultIfEmpty("")
                        .flatMap(body -> issueDevToken(body, response));
            }
        }
        return problem(response, HttpResponseStatus.NOT_FOUND, "No such resource: " + method + " " + path);
    }

    private Mono<Void> issueDevToken(String body, HttpServerResponse response) {
        JsonNode request;
        try {
            request = MeshJson.mapper().readTree(body);
        } catch (JacksonException e) {
            return problem(response, HttpResponseStatus.BAD_REQUEST, "The body must be JSON: {\"user\": \"<name>\"}.");
        }
        JsonNode userName = request == null ? null : request.get("user");
        if (userName == null || !userName.isString() || userName.asString().isBlank()) {
            return problem(response, HttpResponseStatus.BAD_REQUEST, "The body must be JSON: {\"user\": \"<name>\"}.");
        }
        Optional<User> user = users.find(userName.asString());
        if (user.isEmpty()) {
            return problem(response, HttpResponseStatus.NOT_FOUND, "There is no demo user named '" + userName.asString() + "'.");
        }
        // Signed off the event loop: RS256 takes milliseconds, and hundreds of requests signed inline
        // left other connections' requests unread for over a minute (seen when 19,500 sockets connect).
        return Mono.fromCallable(() -> {
                    Map<String, Object> answer = new LinkedHashMap<>();
                    answer.put("access_token", token(user.get()));
                    answer.put("token_type", "Bearer");
                    answer.put("expires_in", DEFAULT_TTL.toSeconds());
                    answer.put("user", user.get());
                    return MeshJson.write(answer);
                })
                .subscribeOn(Schedulers.parallel())
                .flatMap(answer -> send(response, HttpResponseStatus.OK, JSON, answer));
    }

    private static Mono<Void> problem(HttpServerResponse response, HttpResponseStatus status, String detail) {
        Map<String, Object> problem = new LinkedHashMap<>();
        problem.put("type", "about:blank");
        problem.put("title", status.reasonPhrase());
        problem.put("status", status.code());
        problem.put("detail", detail);
        return send(response, status, PROBLEM_JSON, MeshJson.write(problem));
    }

    private static Mono<Void> send(HttpServerResponse response, HttpResponseStatus status, String contentType, String body) {
        return response.status(status)
                .header(HttpHeaderNames.CONTENT_TYPE, contentType)
                .header(HttpHeaderNames.CACHE_CONTROL, "no-store")
                .sendString(Mono.just(body), StandardCharsets.UTF_8)
                .then();
    }
}
