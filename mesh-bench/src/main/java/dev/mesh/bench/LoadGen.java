package dev.mesh.bench;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.netty.util.concurrent.ScheduledFuture;
import tools.jackson.databind.JsonNode;

import dev.mesh.contracts.MeshJson;

/**
 * One load generator process: many WebSocket clients on a few event-loop threads, spread over
 * loopback source addresses, speaking one of three dialects — the mesh's protocol ({@code /ws},
 * bearer token from the development issuer, commands with ids and acks), the bare Netty
 * server's (text frames, no protocol) or Engine.IO 4 / Socket.IO 4 frames. Every timed message
 * carries its send time as an integer (epoch microseconds, {@code "content":"<µs>"}); receivers
 * record publish→receive latency in an HdrHistogram. Driven by {@link Bench} over stdin.
 */
public final class LoadGen {

    enum Dialect { MESH, NETTY, SIO }

    private static final byte[] CONTENT = "\"content\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final ByteBuf CONTENT_NEEDLE = Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(CONTENT));
    private static final long HIGHEST_US = TimeUnit.MINUTES.toMicros(10);
    private static final int MAX_ATTEMPTS = 5;

    private final EventLoopGroup group;
    private final Class<? extends SocketChannel> channelType;
    private final Map<String, CachedToken> tokens = new ConcurrentHashMap<>();
    private final HttpClient http = HttpClient.newBuilder()
            // HTTP/1.1 only: the default first tries an h2c upgrade, whose headers the gateway would pass on.
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private final List<Client> clients = new ArrayList<>();
    private final Map<String, Client> named = new ConcurrentHashMap<>();
    private final Recorder deliveryLatency = new Recorder(HIGHEST_US, 3);
    private final Recorder ackLatency = new Recorder(HIGHEST_US, 3);
    private final Histogram deliveries = new Histogram(HIGHEST_US, 3);
    private final Histogram acks = new Histogram(HIGHEST_US, 3);
    private final LongAdder delivered = new LongAdder();
    private final LongAdder acked = new LongAdder();
    private final LongAdder accepted = new LongAdder();
    private final LongAdder rejected = new LongAdder();
    private final LongAdder sent = new LongAdder();
    private final LongAdder unexpectedCloses = new LongAdder();
    private final LongAdder retries = new LongAdder();
    private final Queue<String> errorSamples = new ConcurrentLinkedQueue<>();
    private final AtomicLong ids = new AtomicLong();
    private final String idPrefix = Long.toString(ProcessHandle.current().pid(), 36) + "-";
    private volatile long phaseStartMicros;

    private LoadGen(int threads) {
        this.group = new MultiThreadIoEventLoopGroup(threads, NioIoHandler.newFactory());
        this.channelType = NioSocketChannel.class;
    }

    public static void main(String[] args) {
        LoadGen gen = new LoadGen(args.length > 0 ? Integer.parseInt(args[0]) : 1);
        ChildMain.reply(Map.of("ready", true));
        ChildMain.serve(gen::handle);
        gen.group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        System.exit(0);
    }

    static long nowMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }

    private void handle(JsonNode request) {
        switch (request.get("op").asString()) {
            case "connect" -> ChildMain.reply(connect(request));
            case "command" -> {
                Client client = named.get(request.get("client").asString());
                JsonNode ack = client.command(request.get("type").asString(), request.get("data"))
                        .orTimeout(request.path("timeoutMs").asLong(30_000), TimeUnit.MILLISECONDS).join();
                ChildMain.reply(Map.of("ack", ack));
            }
            case "send" -> ChildMain.reply(send(request));
            case "post" -> ChildMain.reply(post(request));
            case "reset" -> {
                phaseStartMicros = request.get("phaseStart").asLong();
                synchronized (this) {
                    deliveryLatency.reset();
                    ackLatency.reset();
                    deliveries.reset();
                    acks.reset();
                }
                for (LongAdder counter : List.of(delivered, acked, accepted, rejected, sent, unexpectedCloses, retries)) {
                    counter.reset();
                }
                errorSamples.clear();
                ChildMain.reply(Map.of("ok", true));
            }
            case "stats" -> ChildMain.reply(stats());
            case "closeAll" -> {
                List<Client> all;
                synchronized (clients) {
                    all = new ArrayList<>(clients);
                    clients.clear();
                }
                named.clear();
                for (Client client : all) {
                    client.closing = true;
                    if (client.channel != null) {
                        client.channel.close();
                    }
                }
                for (Client client : all) {
                    if (client.channel != null) {
                        client.channel.closeFuture().awaitUninterruptibly(5_000);
                    }
                }
                ChildMain.reply(Map.of("closed", all.size()));
            }
            default -> ChildMain.reply(Map.of("error", "unknown op"));
        }
    }

    // Connecting

    /**
     * Opens clients for users {@code first..last} (or the one {@code name}d client), at most
     * {@code parallel} handshakes at a time, each from the next source address in turn. In
     * mode {@code enrol} a client joins and closes again (membership without an audience
     * for the announcements); in {@code hold} it stays.
     */
    private Map<String, Object> connect(JsonNode request) {
        Dialect dialect = Dialect.valueOf(request.get("dialect").asString());
        URI uri = URI.create(request.get("url").asString());
        String issuer = request.path("issuer").asString("");
        List<String> addresses = new ArrayList<>();
        request.path("addresses").forEach(a -> addresses.add(a.asString()));
        if (addresses.isEmpty()) {
            addresses.add("127.0.0.1");
        }
        List<String> users = new ArrayList<>();
        if (request.hasNonNull("user")) {
            users.add(request.get("user").asString());
        } else {
            String prefix = request.path("userPrefix").asString("student-");
            for (int n = request.get("first").asInt(); n <= request.get("last").asInt(); n++) {
                users.add(prefix + n);
            }
        }
        String name = request.path("name").asString(null);
        boolean enrol = "enrol".equals(request.path("mode").asString("hold"));
        boolean counts = request.path("counts").asBoolean(true);
        boolean answers = request.path("answers").asBoolean(false);
        JsonNode join = request.get("join");
        // Or one room per perRoom consecutive users: {"rooms": [...], "perRoom": n} → chat:join of that room.
        List<String> rooms = new ArrayList<>();
        request.path("rooms").forEach(r -> rooms.add(r.asString()));
        int perRoom = request.path("perRoom").asInt(1);
        Semaphore parallel = new Semaphore(request.path("parallel").asInt(100));
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(users.size());
        long started = System.nanoTime();
        for (int i = 0; i < users.size(); i++) {
            String user = users.get(i);
            InetSocketAddress local = new InetSocketAddress(addresses.get(i % addresses.size()), 0);
            parallel.acquireUninterruptibly();
            Client client = new Client(dialect, user, counts && !enrol, answers);
            JsonNode joinOf = rooms.isEmpty() ? join : MeshJson.mapper().readTree(
                    "{\"type\":\"chat:join\",\"data\":{\"roomId\":\"" + rooms.get(i / perRoom) + "\"}}");
            CompletableFuture<String> token = dialect == Dialect.MESH ? token(issuer, user) : CompletableFuture.completedFuture(null);
            token.thenCompose(t -> client.open(uri, local, t))
                    .thenCompose(c -> joinOf == null ? CompletableFuture.completedFuture(null)
                            : client.command(joinOf.get("type").asString(), joinOf.get("data")))
                    .orTimeout(120, TimeUnit.SECONDS)
                    .whenComplete((ack, error) -> {
                        if (error == null) {
                            ok.incrementAndGet();
                            if (joinOf != null) {
                                client.roomId = joinOf.get("data").path("roomId").asString(null);
                                client.sessionId = joinOf.get("data").path("sessionId").asString(null);
                            }
                            if (enrol) {
                                client.closing = true;
                                client.channel.close();
                            } else {
                                synchronized (clients) {
                                    clients.add(client);
                                }
                                if (name != null) {
                                    named.put(name, client);
                                }
                            }
                        } else {
                            failed.incrementAndGet();
                            sample(user + ": " + rootMessage(error));
                            if (client.channel != null) {
                                client.closing = true;
                                client.channel.close();
                            }
                        }
                        parallel.release();
                        done.countDown();
                    });
        }
        try {
            done.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("connected", ok.get());
        answer.put("failed", failed.get());
        answer.put("seconds", (System.nanoTime() - started) / 1e9);
        answer.put("errors", List.copyOf(errorSamples));
        return answer;
    }

    /**
     * A bearer token for {@code user}: reused while it has more than {@link #TOKEN_LIFE_LEFT} to live
     * (a room's members are enrolled and then connected by the same generator), so the issuer signs
     * one RS256 token per user and phase of the run rather than one per connection.
     */
    private CompletableFuture<String> token(String issuer, String user) {
        CachedToken cached = tokens.get(user);
        if (cached != null && cached.expiresAtNanos() - System.nanoTime() > TOKEN_LIFE_LEFT.toNanos()) {
            return CompletableFuture.completedFuture(cached.value());
        }
        return fetchToken(issuer, user);
    }

    /**
     * Asks the development issuer, once more after a timeout: at the start of a phase hundreds of
     * requests arrive together and a few have been seen to get no answer at all (the issuer is a
     * development tool in the services' process, not what is measured).
     */
    private CompletableFuture<String> fetchToken(String issuer, String user) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(issuer + "/dev/token"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"user\":\"" + user + "\"}"))
                .timeout(Duration.ofSeconds(30))
                .build();
        long askedAt = System.nanoTime();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                .exceptionallyCompose(error -> rootCause(error) instanceof java.net.http.HttpTimeoutException
                        ? http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                        : CompletableFuture.failedFuture(error))
                .thenApply(response -> {
                    if (response.statusCode() != 200) {
                        throw new IllegalStateException("token for " + user + ": HTTP " + response.statusCode());
                    }
                    JsonNode body = MeshJson.mapper().readTree(response.body());
                    String token = body.get("access_token").asString();
                    long lifeNanos = Duration.ofSeconds(body.path("expires_in").asLong(0)).toNanos();
                    tokens.put(user, new CachedToken(token, askedAt + lifeNanos));
                    return token;
                });
    }

    /** A held connection is closed when its token expires: reuse a token only with this much life left. */
    private static final Duration TOKEN_LIFE_LEFT = Duration.ofMinutes(10);

    private record CachedToken(String value, long expiresAtNanos) {
    }

    // Sending

    /** The named client sends {@code rate} timed messages a second for {@code seconds}; waits for the acks (mesh). */
    private Map<String, Object> send(JsonNode request) {
        Client client = named.get(request.get("client").asString());
        double rate = request.get("rate").asDouble();
        long seconds = request.get("seconds").asLong();
        String roomId = request.path("roomId").asString("");
        long periodNanos = (long) (1e9 / rate);
        long total = Math.round(rate * seconds);
        AtomicLong count = new AtomicLong();
        List<CompletableFuture<JsonNode>> pending = new ArrayList<>();
        CountDownLatch finished = new CountDownLatch(1);
        ScheduledFuture<?>[] task = new ScheduledFuture<?>[1];
        task[0] = client.channel.eventLoop().scheduleAtFixedRate(() -> {
            if (count.get() >= total) {
                task[0].cancel(false);
                finished.countDown();
                return;
            }
            count.incrementAndGet();
            CompletableFuture<JsonNode> ack = client.sendTimed(roomId);
            if (ack != null) {
                synchronized (pending) {
                    pending.add(ack);
                }
            }
        }, 0, periodNanos, TimeUnit.NANOSECONDS);
        await(finished, seconds + 60);
        int ackedHere = 0;
        int errors = 0;
        List<CompletableFuture<JsonNode>> all;
        synchronized (pending) {
            all = List.copyOf(pending);
        }
        for (CompletableFuture<JsonNode> ack : all) {
            try {
                ack.get(20, TimeUnit.SECONDS);
                ackedHere++;
            } catch (Exception e) {
                errors++;
                sample("send: " + rootMessage(e));
            }
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("sent", count.get());
        answer.put("acked", client.dialect == Dialect.MESH ? ackedHere : count.get());
        answer.put("errors", errors);
        return answer;
    }

    /** Every held client with a room posts {@code rate} timed messages a second to it for {@code seconds}. */
    private Map<String, Object> post(JsonNode request) {
        double rate = request.get("rate").asDouble();
        long seconds = request.get("seconds").asLong();
        long periodNanos = (long) (1e9 / rate);
        long perClient = Math.round(rate * seconds);
        List<Client> posters;
        synchronized (clients) {
            posters = clients.stream().filter(c -> c.roomId != null).toList();
        }
        CountDownLatch finished = new CountDownLatch(posters.size());
        Queue<CompletableFuture<JsonNode>> pending = new ConcurrentLinkedQueue<>();
        for (Client client : posters) {
            AtomicLong count = new AtomicLong();
            ScheduledFuture<?>[] task = new ScheduledFuture<?>[1];
            long phase = ThreadLocalRandom.current().nextLong(periodNanos);
            task[0] = client.channel.eventLoop().scheduleAtFixedRate(() -> {
                if (count.incrementAndGet() > perClient || !client.channel.isActive()) {
                    task[0].cancel(false);
                    finished.countDown();
                    return;
                }
                pending.add(client.sendTimed(client.roomId));
            }, phase, periodNanos, TimeUnit.NANOSECONDS);
        }
        await(finished, seconds + 60);
        int ok = 0;
        int errors = 0;
        for (CompletableFuture<JsonNode> ack : pending) {
            try {
                ack.get(20, TimeUnit.SECONDS);
                ok++;
            } catch (Exception e) {
                errors++;
                sample("post: " + rootMessage(e));
            }
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("posters", posters.size());
        answer.put("sent", pending.size());
        answer.put("acked", ok);
        answer.put("errors", errors);
        return answer;
    }

    private synchronized Map<String, Object> stats() {
        deliveries.add(deliveryLatency.getIntervalHistogram());
        acks.add(ackLatency.getIntervalHistogram());
        int open;
        synchronized (clients) {
            open = (int) clients.stream().filter(c -> c.channel != null && c.channel.isActive()).count();
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("open", open);
        answer.put("delivered", delivered.sum());
        answer.put("deliveryHistogram", encode(deliveries));
        answer.put("acked", acked.sum());
        answer.put("ackHistogram", encode(acks));
        answer.put("accepted", accepted.sum());
        answer.put("rejected", rejected.sum());
        answer.put("sent", sent.sum());
        answer.put("unexpectedCloses", unexpectedCloses.sum());
        answer.put("retries", retries.sum());
        answer.put("errors", List.copyOf(errorSamples));
        return answer;
    }

    static String encode(Histogram histogram) {
        ByteBuffer buffer = ByteBuffer.allocate(histogram.getNeededByteBufferCapacity());
        int length = histogram.encodeIntoCompressedByteBuffer(buffer);
        byte[] bytes = new byte[length];
        buffer.flip();
        buffer.get(bytes);
        return Base64.getEncoder().encodeToString(bytes);
    }

    static Histogram decode(String base64) {
        try {
            return Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(Base64.getDecoder().decode(base64)), 0);
        } catch (java.util.zip.DataFormatException e) {
            throw new IllegalStateException(e);
        }
    }

    private void sample(String error) {
        if (errorSamples.size() < 10) {
            errorSamples.add(error);
        }
    }

    private static String rootMessage(Throwable error) {
        return rootCause(error).toString();
    }

    private static Throwable rootCause(Throwable error) {
        Throwable cause = error;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause;
    }

    private static void await(CountDownLatch latch, long seconds) {
        try {
            latch.await(seconds, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Epoch µs in {@code "content":"<µs>"} of a frame, -1 if none. */
    static long contentMicros(ByteBuf text) {
        int at = ByteBufUtil.indexOf(CONTENT_NEEDLE, text);
        if (at < 0) {
            return -1;
        }
        long value = 0;
        int digits = 0;
        for (int i = at + CONTENT.length; i < text.writerIndex(); i++) {
            byte b = text.getByte(i);
            if (b < '0' || b > '9') {
                break;
            }
            value = value * 10 + (b - '0');
            digits++;
        }
        return digits == 0 ? -1 : value;
    }

    private static boolean startsWith(ByteBuf text, byte[] prefix) {
        if (text.readableBytes() < prefix.length) {
            return false;
        }
        int base = text.readerIndex();
        for (int i = 0; i < prefix.length; i++) {
            if (text.getByte(base + i) != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static final byte[] MESH_MESSAGE = "{\"type\":\"chat:message\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] MESH_PING = "{\"type\":\"ping\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] MESH_WELCOME = "{\"type\":\"welcome\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] MESH_ACK = "{\"type\":\"ack\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] MESH_ERROR = "{\"type\":\"error\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] MESH_QUESTION = "{\"type\":\"quiz:question\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SIO_EVENT = "42[\"chat message\"".getBytes(StandardCharsets.US_ASCII);

    /**
     * The frame the baselines broadcast: shaped and sized like the mesh's {@code chat:message}
     * event, so every server writes about the same bytes per delivery.
     */
    static String baselineBody(long micros) {
        return "{\"type\":\"chat:message\",\"topic\":\"chat:room:0198a3f2-4c1e-7d2a-9b3c-5e6f7a8b9c0d\",\"seq\":1234,"
                + "\"data\":{\"messageId\":\"0198a3f2-4c1e-7d2a-9b3c-5e6f7a8b9c0e\",\"roomId\":\"0198a3f2-4c1e-7d2a-9b3c-5e6f7a8b9c0d\","
                + "\"seq\":1234,\"userId\":\"student-0\",\"userName\":\"student-0\",\"content\":\"" + micros
                + "\",\"type\":\"text\",\"mentions\":[],\"createdAt\":1795390265684,\"clientRef\":\"k3x-1234\"}}";
    }

    /** One WebSocket client. */
    private final class Client extends SimpleChannelInboundHandler<WebSocketFrame> {

        private record Pending(long sentNanos, CompletableFuture<JsonNode> result, boolean timed, String frame, int attempt) {
        }

        final Dialect dialect;
        final String user;
        final boolean countsDeliveries;
        final boolean answers;
        final Map<String, Pending> pending = new ConcurrentHashMap<>();
        final CompletableFuture<Client> ready = new CompletableFuture<>();
        volatile Channel channel;
        volatile boolean closing;
        volatile String roomId;
        volatile String sessionId;

        Client(Dialect dialect, String user, boolean countsDeliveries, boolean answers) {
            super(false);
            this.dialect = dialect;
            this.user = user;
            this.countsDeliveries = countsDeliveries;
            this.answers = answers;
        }

        CompletableFuture<Client> open(URI uri, InetSocketAddress local, String token) {
            HttpHeaders headers = new DefaultHttpHeaders();
            if (token != null) {
                headers.set("Authorization", "Bearer " + token);
            }
            WebSocketClientProtocolConfig config = WebSocketClientProtocolConfig.newBuilder()
                    .webSocketUri(uri)
                    .version(WebSocketVersion.V13)
                    .customHeaders(headers)
                    .maxFramePayloadLength(8 * 1024 * 1024)
                    .handshakeTimeoutMillis(60_000)
                    .dropPongFrames(true)
                    .build();
            Bootstrap bootstrap = new Bootstrap().group(group).channel(channelType)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 30_000)
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(65536),
                                    new WebSocketClientProtocolHandler(config), Client.this);
                        }
                    });
            bootstrap.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), local).addListener(f -> {
                if (!f.isSuccess()) {
                    ready.completeExceptionally(f.cause());
                }
            });
            return ready;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) throws Exception {
            channel = ctx.channel();
            super.channelActive(ctx);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
            if (event == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE
                    && dialect == Dialect.NETTY) {
                ready.complete(this);
            }
            super.userEventTriggered(ctx, event);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
            try {
                if (frame instanceof TextWebSocketFrame) {
                    onText(frame.content());
                }
            } finally {
                frame.release();
            }
        }

        private void onText(ByteBuf text) {
            switch (dialect) {
                case MESH -> {
                    if (startsWith(text, MESH_MESSAGE)) {
                        delivery(text);
                    } else if (startsWith(text, MESH_PING)) {
                        channel.writeAndFlush(new TextWebSocketFrame("{\"type\":\"pong\"}"));
                    } else if (startsWith(text, MESH_ACK) || startsWith(text, MESH_ERROR)) {
                        reply(MeshJson.mapper().readTree(text.toString(StandardCharsets.UTF_8)));
                    } else if (startsWith(text, MESH_WELCOME)) {
                        ready.complete(this);
                    } else if (answers && startsWith(text, MESH_QUESTION)) {
                        JsonNode question = MeshJson.mapper().readTree(text.toString(StandardCharsets.UTF_8));
                        answer(question.get("data").get("index").asInt());
                    }
                }
                case NETTY -> {
                    if (startsWith(text, MESH_MESSAGE)) {
                        delivery(text);
                    }
                }
                case SIO -> {
                    if (startsWith(text, SIO_EVENT)) {
                        delivery(text);
                    } else if (text.readableBytes() == 1 && text.getByte(text.readerIndex()) == '2') {
                        channel.writeAndFlush(new TextWebSocketFrame("3"));
                    } else if (text.readableBytes() > 0 && text.getByte(text.readerIndex()) == '0') {
                        channel.writeAndFlush(new TextWebSocketFrame("40"));
                    } else if (startsWith(text, "40".getBytes(StandardCharsets.US_ASCII))) {
                        ready.complete(this);
                    }
                }
            }
        }

        private void delivery(ByteBuf text) {
            if (!countsDeliveries) {
                return;
            }
            long sentAt = contentMicros(text);
            if (sentAt < phaseStartMicros) {
                return;
            }
            delivered.increment();
            deliveryLatency.recordValue(Math.min(HIGHEST_US, Math.max(0, nowMicros() - sentAt)));
        }

        private void answer(int questionIndex) {
            String data = "{\"sessionId\":\"" + sessionId + "\",\"questionIndex\":" + questionIndex + ",\"answer\":0}";
            sent.increment();
            command("quiz:answer", data, true).whenComplete((ack, error) -> {
                if (error == null && ack.path("accepted").asBoolean(false)) {
                    accepted.increment();
                } else {
                    rejected.increment();
                    sample("answer: " + (error == null ? ack : rootMessage(error)));
                }
            });
        }

        /** A timed message: a mesh {@code chat:message} (with its ack), else a baseline frame (no ack: null). */
        CompletableFuture<JsonNode> sendTimed(String roomId) {
            long micros = nowMicros();
            sent.increment();
            return switch (dialect) {
                case MESH -> command("chat:message", "{\"roomId\":\"" + roomId + "\",\"content\":\"" + micros + "\"}", true);
                case NETTY -> {
                    channel.writeAndFlush(new TextWebSocketFrame(baselineBody(micros)));
                    yield null;
                }
                case SIO -> {
                    channel.writeAndFlush(new TextWebSocketFrame("42[\"chat message\"," + baselineBody(micros) + "]"));
                    yield null;
                }
            };
        }

        CompletableFuture<JsonNode> command(String type, JsonNode data) {
            return command(type, MeshJson.write(data), false);
        }

        /**
         * Sends a mesh command; completes with the ack's data, or exceptionally with the error frame.
         * Only {@code timed} commands (the measured messages and answers) count as acked, with their latency.
         */
        CompletableFuture<JsonNode> command(String type, String dataJson, boolean timed) {
            String id = idPrefix + ids.incrementAndGet();
            CompletableFuture<JsonNode> result = new CompletableFuture<>();
            String frame = "{\"type\":\"" + type + "\",\"id\":\"" + id + "\",\"data\":" + dataJson + "}";
            pending.put(id, new Pending(System.nanoTime(), result, timed, frame, 1));
            channel.writeAndFlush(new TextWebSocketFrame(frame));
            return result;
        }

        private void reply(JsonNode frame) {
            Pending waiting = frame.hasNonNull("ref") ? pending.remove(frame.get("ref").asString()) : null;
            if (waiting == null) {
                sample(user + " unexpected: " + frame);
                return;
            }
            if ("ack".equals(frame.get("type").asString())) {
                if (waiting.timed()) {
                    acked.increment();
                    ackLatency.recordValue(Math.min(HIGHEST_US, (System.nanoTime() - waiting.sentNanos()) / 1_000));
                }
                waiting.result().complete(frame.path("data"));
            } else {
                String code = frame.path("code").asString();
                if ((code.equals("UNAVAILABLE") || code.equals("RATE_LIMITED")) && waiting.attempt() < MAX_ATTEMPTS) {
                    // What the protocol asks of a client: retry with the same id (after retryAfterMs if given).
                    // The latency still counts from the first send.
                    retries.increment();
                    String ref = frame.get("ref").asString();
                    long delay = frame.path("data").path("retryAfterMs").asLong(250L * waiting.attempt());
                    pending.put(ref, new Pending(waiting.sentNanos(), waiting.result(), waiting.timed(), waiting.frame(),
                            waiting.attempt() + 1));
                    channel.eventLoop().schedule(() -> channel.writeAndFlush(new TextWebSocketFrame(waiting.frame())),
                            delay, TimeUnit.MILLISECONDS);
                    return;
                }
                waiting.result().completeExceptionally(new IllegalStateException(code + ": " + frame.path("message").asString()));
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            if (!ready.isDone()) {
                ready.completeExceptionally(new IllegalStateException("closed before ready"));
            } else if (!closing) {
                unexpectedCloses.increment();
                sample(user + ": closed by the server");
            }
            pending.values().forEach(p -> p.result().completeExceptionally(new IllegalStateException("closed")));
            super.channelInactive(ctx);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (!ready.isDone()) {
                ready.completeExceptionally(cause);
            }
            ctx.close();
        }
    }
}
