package dev.mesh.dev;

import static dev.mesh.dev.TestMesh.connectWithAuthFrame;
import static dev.mesh.dev.TestMesh.connectWithHeader;
import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.management.ObjectName;

import org.junit.jupiter.api.Test;

import dev.mesh.testkit.ws.WsTestClient;

/**
 * What an open socket holds on its gateway. An upgrade request lives as long as its socket, so
 * whatever its handling creates and keeps a reference to is held per connection (the idle
 * scenario of docs/benchmarks.md measures the bytes). The gateways run in this JVM: a class
 * histogram of live objects (a full GC, as {@code jcmd GC.class_histogram}) before and after
 * opening sockets shows what each one keeps. None of these may be kept per socket: a web session,
 * the decoded token, the security filter chain's observations.
 */
class SocketFootprintTest {

    private static final int SOCKETS = 60;
    private static final List<String> NOT_PER_SOCKET = List.of(
            "org.springframework.web.server.session.InMemoryWebSessionStore$InMemoryWebSession",
            "com.nimbusds.jwt.SignedJWT",
            "org.springframework.security.oauth2.jwt.Jwt",
            "io.micrometer.observation.SimpleObservation",
            "org.springframework.security.web.server.ObservationWebFilterChainDecorator$WebFilterChainObservationContext");

    @Test
    void anOpenSocketHoldsNoWebSessionNoTokenAndNoSecurityObservation() throws Exception {
        TestMesh mesh = TestMesh.get();
        String run = UUID.randomUUID().toString().substring(0, 8);
        Map<String, Long> before = liveInstances();
        List<WsTestClient> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < SOCKETS; i++) {
                // Both ways of authenticating: the upgrade's header and the first frame.
                String user = "footprint-" + run + "-" + i;
                sockets.add(i % 2 == 0 ? connectWithHeader(mesh.gateway1, user) : connectWithAuthFrame(mesh.gateway1, user));
            }
            Map<String, Long> open = liveInstances();
            Map<String, Long> added = new HashMap<>();
            for (String type : NOT_PER_SOCKET) {
                added.put(type, open.getOrDefault(type, 0L) - before.getOrDefault(type, 0L));
            }
            // Held while the sockets are open is what counts; a few from other requests may come and go.
            assertThat(added).as("live instances added by %d open sockets", SOCKETS)
                    .allSatisfy((type, count) -> assertThat(count).as(type).isLessThan(SOCKETS / 2));
        } finally {
            sockets.forEach(WsTestClient::close);
        }
    }

    private static final Pattern ROW = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+\\d+\\s+(\\S+)");

    /** Live instances per class in this JVM, after a full GC. */
    private static Map<String, Long> liveInstances() throws Exception {
        String histogram = (String) ManagementFactory.getPlatformMBeanServer().invoke(
                new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                new Object[] {null}, new String[] {String[].class.getName()});
        Map<String, Long> instances = new HashMap<>();
        for (String line : histogram.split("\n")) {
            Matcher row = ROW.matcher(line);
            if (row.find()) {
                instances.merge(row.group(2), Long.parseLong(row.group(1)), Long::sum);
            }
        }
        assertThat(instances).as("class histogram of this JVM").isNotEmpty();
        return instances;
    }
}
