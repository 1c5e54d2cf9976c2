package dev.mesh.testkit.ws;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

import dev.mesh.contracts.MeshJson;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakeException;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import org.reactivestreams.Publisher;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.publisher.SynchronousSink;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.WebsocketClientSpec;
import reactor.netty.http.websocket.WebsocketInbound;
import reactor.netty.http.websocket.WebsocketOutbound;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.BinaryNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.databind.node.StringNode;

/**
 * A WebSocket client for tests, on Reactor Netty. Every text frame received is parsed as
 * JSON (kept as a JSON string when it is not JSON) and queued; tests take frames out with
 * {@link #await} in arrival order, skipping those that do not match, which stay for later
 * awaits. Binary frames arrive as binary nodes.
 */
public final class WsTestClient implements AutoCloseable {

    /** Inbound and outbound frame limit, well above what a server should accept, so servers' own limits are what tests hit. */
    public static final int MAX_FRAME_BYTES = 16 * 1024 * 1024;
    public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(3);
    /** Only a peer that vanished yields it; it is never sent in a close frame. */
    private static final int ABNORMAL_CLOSURE = 1006;

    /** How the server closed: the code and reason of its close frame, or -1 if it closed without one. */
    public record CloseStatus(int code, String reason) {
    }

    private sealed interface Outgoing {

        WebSocketFrame frame();
    }

    private record Text(String text) implements Outgoing {

        @Override
        public WebSocketFrame frame() {
            return new TextWebSocketFrame(text);
        }
    }

    /** A text frame of raw bytes, which need not be valid UTF-8. */
    private record RawText(byte[] bytes) implements Outgoing {

        @Override
        public WebSocketFrame frame() {
            return new TextWebSocketFrame(Unpooled.wrappedBuffer(bytes));
        }
    }

    private record Binary(byte[] bytes) implements Outgoing {

        @Override
        public WebSocketFrame frame() {
            return new BinaryWebSocketFrame(Unpooled.wrappedBuffer(bytes));
        }
    }

    private final String url;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<JsonNode> unconsumed = new ArrayDeque<>();
    private final List<JsonNode> received = new ArrayList<>();
    private boolean inboundDone;

    // Outbound frames are created when written, so nothing leaks if the connection never drains them.
    private final Sinks.Many<Outgoing> outgoing = Sinks.many().unicast().onBackpressureBuffer();
    private final CompletableFuture<Void> opened = new CompletableFuture<>();
    private final CompletableFuture<CloseStatus> closed = new CompletableFuture<>();
    private volatile WebSocketCloseStatus clientClose;
    private volatile Disposable connection;

    private WsTestClient(String url) {
        this.url = url;
    }

    public static WsTestClient connect(String url) {
        return connect(url, Map.of());
    }

    /**
     * Connects and returns once the upgrade has completed.
     *
     * @throws WsUpgradeRejected if the server answered the upgrade with another HTTP status
     */
    public static WsTestClient connect(String url, Map<String, String> headers) {
        WsTestClient client = new WsTestClient(url);
        client.connection = HttpClient.newConnection()
                .headers(h -> headers.forEach(h::set))
                .websocket(WebsocketClientSpec.builder().maxFramePayloadLength(MAX_FRAME_BYTES).build())
                .uri(url)
                .handle(client::run)
                .subscribe(ignored -> { }, client::terminated, () -> client.terminated(null));
        try {
            client.opened.get(CONNECT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            return client;
        } catch (ExecutionException e) {
            client.connection.dispose();
            throw upgradeFailure(url, e.getCause());
        } catch (TimeoutException e) {
            client.connection.dispose();
            throw new IllegalStateException("WebSocket upgrade of " + url + " did not complete within " + CONNECT_TIMEOUT, e);
        } catch (InterruptedException e) {
            client.connection.dispose();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while connecting to " + url, e);
        }
    }

    private static RuntimeException upgradeFailure(String url, Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof WebSocketClientHandshakeException handshake && handshake.response() != null) {
                int status = handshake.response().status().code();
                return new WsUpgradeRejected(status, "WebSocket upgrade of " + url + " rejected with HTTP " + status, failure);
            }
        }
        return new IllegalStateException("WebSocket connection to " + url + " failed: " + failure, failure);
    }

    private Publisher<Void> run(WebsocketInbound in, WebsocketOutbound out) {
        in.receiveCloseStatus().subscribe(status -> closed.complete(
                new CloseStatus(status.code() == ABNORMAL_CLOSURE ? -1 : status.code(), status.reasonText())));
        opened.complete(null);
        Mono<Void> receiving = in.aggregateFrames(MAX_FRAME_BYTES)
                .receiveFrames()
                // Decoded synchronously: Reactor Netty releases each frame after onNext, so it must not be kept or released here.
                .handle(this::decode)
                .doOnNext(this::arrive)
                .then()
                .doFinally(signal -> {
                    markInboundDone();
                    completeOutgoing();
                });
        Mono<Void> sending = out.sendObject(outgoing.asFlux().map(Outgoing::frame))
                .then()
                .then(Mono.defer(() -> {
                    WebSocketCloseStatus close = clientClose;
                    return close != null ? out.sendClose(close.code(), close.reasonText()) : Mono.<Void>empty();
                }));
        return Mono.when(receiving, sending);
    }

    private void decode(WebSocketFrame frame, SynchronousSink<JsonNode> sink) {
        if (frame instanceof TextWebSocketFrame text) {
            sink.next(parse(text.text()));
        } else if (frame instanceof BinaryWebSocketFrame binary) {
            sink.next(BinaryNode.valueOf(ByteBufUtil.getBytes(binary.content())));
        }
        // Pongs and anything else are not frames a test waits for.
    }

    private static JsonNode parse(String text) {
        try {
            return MeshJson.mapper().readTree(text);
        } catch (JacksonException notJson) {
            return StringNode.valueOf(text);
        }
    }

    private void arrive(JsonNode frame) {
        lock.lock();
        try {
            received.add(frame);
            unconsumed.add(frame);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void markInboundDone() {
        lock.lock();
        try {
            inboundDone = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void terminated(Throwable error) {
        opened.completeExceptionally(error != null ? error : new IllegalStateException("connection closed before the upgrade"));
        // The close frame's status may be reported just after the connection ends: give it a moment
        // before concluding the server closed without one.
        CloseStatus abnormal = new CloseStatus(-1, error != null ? String.valueOf(error.getMessage()) : "");
        CompletableFuture.delayedExecutor(500, TimeUnit.MILLISECONDS).execute(() -> closed.complete(abnormal));
        markInboundDone();
        completeOutgoing();
    }

    // Sinks need serialized emissions; tests may send from several threads.
    private void completeOutgoing() {
        synchronized (outgoing) {
            outgoing.tryEmitComplete();
        }
    }

    private void emit(Outgoing frame) {
        synchronized (outgoing) {
            if (!isOpen()) {
                throw new IllegalStateException("cannot send on " + url + ": the connection is closed");
            }
            Sinks.EmitResult result = outgoing.tryEmitNext(frame);
            if (result.isFailure()) {
                throw new IllegalStateException("cannot send on " + url + " (" + result + "): the connection is closed");
            }
        }
    }

    /** Sends one text frame as given, of any size and content, JSON or not. */
    public void send(String rawText) {
        emit(new Text(rawText));
    }

    /** Sends a record, map or JSON node as one JSON text frame; a String goes as given. */
    public void send(Object frame) {
        send(frame instanceof String raw ? raw : MeshJson.write(frame));
    }

    /** Sends a text frame of these bytes as they are, valid UTF-8 or not (a test of the server's decoding). */
    public void sendTextBytes(byte[] bytes) {
        emit(new RawText(bytes.clone()));
    }

    public void sendBinary(byte[] bytes) {
        emit(new Binary(bytes.clone()));
    }

    /** Sends {@code {"type", "id", "data"}} with a fresh UUID id and returns that id (the {@code ref} of the reply). */
    public String sendCommand(String type, Object data) {
        String id = UUID.randomUUID().toString();
        ObjectNode frame = MeshJson.object();
        frame.put("type", type);
        frame.put("id", id);
        if (data != null) {
            frame.set("data", MeshJson.tree(data));
        }
        send(MeshJson.write(frame));
        return id;
    }

    /**
     * Removes and returns the first frame not yet consumed, in arrival order, that matches.
     * Fails as soon as the connection is closed and no frame matches, or at the timeout.
     */
    public JsonNode await(Predicate<JsonNode> matching, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (true) {
                for (Iterator<JsonNode> frames = unconsumed.iterator(); frames.hasNext(); ) {
                    JsonNode frame = frames.next();
                    if (matching.test(frame)) {
                        frames.remove();
                        return frame;
                    }
                }
                long left = deadline - System.nanoTime();
                if (inboundDone || left <= 0) {
                    throw new AssertionError("no matching frame " + (inboundDone ? "before the connection closed" : "within " + timeout)
                            + " on " + url + "; frames received: " + received);
                }
                changed.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for a frame on " + url, e);
        } finally {
            lock.unlock();
        }
    }

    /** The {@code ack} or {@code error} reply to the command with id {@code ref}. */
    public JsonNode awaitReply(String ref, Duration timeout) {
        return await(frame -> {
            String type = text(frame, "type");
            return ("ack".equals(type) || "error".equals(type)) && ref.equals(text(frame, "ref"));
        }, timeout);
    }

    private static String text(JsonNode frame, String field) {
        JsonNode value = frame.get(field);
        return value != null && value.isString() ? value.asString() : null;
    }

    /** Every frame received so far, consumed or not, in arrival order. */
    public List<JsonNode> received() {
        lock.lock();
        try {
            return List.copyOf(received);
        } finally {
            lock.unlock();
        }
    }

    /** Waits for the server to close the connection. */
    public CloseStatus awaitClose(Duration timeout) {
        try {
            return closed.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("connection to " + url + " still open after " + timeout + "; frames received: " + received());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for the close of " + url, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    public boolean isOpen() {
        return opened.isDone() && !opened.isCompletedExceptionally() && !closed.isDone();
    }

    /** Closes with 1000 after the frames already sent, waiting briefly for the server's answer. */
    @Override
    public void close() {
        close(1000, "");
    }

    public void close(int code, String reason) {
        Disposable current = connection;
        if (isOpen()) {
            clientClose = new WebSocketCloseStatus(code, reason);
            completeOutgoing();
            try {
                closed.get(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                // The server did not answer the close: drop the connection anyway.
            }
        }
        if (current != null) {
            current.dispose();
        }
    }
}
