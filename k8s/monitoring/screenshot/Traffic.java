import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Traffic for the dashboard screenshot (README.md beside it): demo users on a running mesh-dev
 * log in at its development issuer, connect to both gateways, join one room and chat in waves;
 * some sockets come and go, one client sends frames of an unknown type, and one tries a bad token.
 * Plain JDK (java.net.http), run as a single-file program:
 * {@code java Traffic.java <gateway-1 url> <gateway-2 url> <issuer url> <minutes>}.
 */
public class Traffic {

    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final AtomicLong received = new AtomicLong();

    public static void main(String[] args) throws Exception {
        List<String> gateways = List.of(args[0], args[1]);
        String issuer = args[2];
        long until = System.currentTimeMillis() + Duration.ofMinutes(Long.parseLong(args[3])).toMillis();

        String ada = token(issuer, "ada");
        String room = field(post(gateways.get(0) + "/api/chat/rooms", ada,
                "{\"name\":\"Dashboard traffic " + UUID.randomUUID().toString().substring(0, 4) + "\",\"type\":\"public\"}"), "id");
        List<Client> clients = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            clients.add(new Client("student-" + (9000 + i), gateways.get(i % 2), issuer, room));
        }
        for (Client c : clients) {
            c.connect();
        }
        long tick = 0;
        while (System.currentTimeMillis() < until) {
            tick++;
            // Waves: busier for a minute, then quieter.
            boolean busy = (tick / 60) % 2 == 0;
            for (Client c : clients) {
                if (c.socket == null) {
                    continue;
                }
                if (ThreadLocalRandom.current().nextInt(100) < (busy ? 30 : 8)) {
                    c.command("chat:message", "{\"roomId\":\"" + room + "\",\"content\":\"tick " + tick + "\"}");
                }
                if (ThreadLocalRandom.current().nextInt(100) < 10) {
                    c.send("{\"type\":\"chat:typing\",\"data\":{\"roomId\":\"" + room + "\",\"isTyping\":true}}");
                }
            }
            if (tick % 7 == 0) {
                clients.get(1).send("{\"type\":\"nonsense\",\"id\":\"" + UUID.randomUUID() + "\",\"data\":{}}");
            }
            if (tick % 20 == 0) {
                // A few sockets leave and come back (on the other gateway).
                Client c = clients.get((int) (tick / 20 % clients.size()));
                c.close();
                c.gateway = gateways.get(c.gateway.equals(gateways.get(0)) ? 1 : 0);
                c.connect();
            }
            if (tick % 45 == 0) {
                badToken(gateways.get(0));
            }
            Thread.sleep(1000);
        }
        clients.forEach(Client::close);
        System.out.println("traffic done; frames received: " + received.get());
    }

    static final class Client implements WebSocket.Listener {
        final String user;
        final String issuer;
        final String room;
        String gateway;
        volatile WebSocket socket;

        Client(String user, String gateway, String issuer, String room) {
            this.user = user;
            this.gateway = gateway;
            this.issuer = issuer;
            this.room = room;
        }

        void connect() throws Exception {
            String url = gateway.replaceFirst("^http", "ws") + "/ws";
            socket = HTTP.newWebSocketBuilder().header("Authorization", "Bearer " + token(issuer, user))
                    .buildAsync(URI.create(url), this).get();
            command("chat:join", "{\"roomId\":\"" + room + "\"}");
        }

        void command(String type, String data) {
            send("{\"type\":\"" + type + "\",\"id\":\"" + UUID.randomUUID() + "\",\"data\":" + data + "}");
        }

        synchronized void send(String text) {
            WebSocket s = socket;
            if (s != null) {
                s.sendText(text, true).join();
            }
        }

        void close() {
            WebSocket s = socket;
            socket = null;
            if (s != null) {
                s.sendClose(1000, "").join();
            }
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            received.incrementAndGet();
            String text = data.toString();
            if (text.startsWith("{\"type\":\"ping\"")) {
                send("{\"type\":\"pong\"}");
            }
            webSocket.request(1);
            return null;
        }
    }

    static void badToken(String gateway) {
        try {
            HTTP.newWebSocketBuilder().header("Authorization", "Bearer not-a-token")
                    .buildAsync(URI.create(gateway.replaceFirst("^http", "ws") + "/ws"), new WebSocket.Listener() { })
                    .get();
        } catch (Exception expected) {
            // refused or closed with 4001: counted by the gateway
        }
    }

    static String token(String issuer, String user) throws Exception {
        return field(HTTP.send(HttpRequest.newBuilder(URI.create(issuer + "/dev/token"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"user\":\"" + user + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString()).body(), "access_token");
    }

    static String post(String url, String token, String json) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\"\\s*:\\s*\"([^\"]+)\"").matcher(json);
        if (!m.find()) {
            throw new IllegalStateException("no " + name + " in " + json);
        }
        return m.group(1);
    }
}
