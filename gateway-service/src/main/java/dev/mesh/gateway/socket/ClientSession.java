package dev.mesh.gateway.socket;

import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntConsumer;

import dev.mesh.contracts.kafka.UserRef;
import dev.mesh.contracts.wire.CloseCodes;
import dev.mesh.contracts.wire.ServerFrame;
import io.netty.util.concurrent.EventExecutor;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.util.concurrent.Queues;

/**
 * One client socket at this gateway: who it is, which stream topics it is attached to (with
 * the last seq sent on each, to drop duplicates and see gaps), and its outbound queue,
 * bounded in bytes: a client that does not read is closed with 1013 rather than buffered
 * without limit (ARCHITECTURE §5, backpressure).
 *
 * <p>The bound covers everything this process holds for the socket: the frames queued here and
 * the bytes the transport has taken but the kernel has not yet accepted ({@link Outlet#pendingBytes}).
 * The kernel's own send buffer is bounded where the socket is set up ({@code SocketSessions}).
 * A socket that takes nothing while frames wait ({@link #stalledFor}) is a slow consumer too,
 * whatever the bytes.
 */
public final class ClientSession {

    private final String id;
    private final String remoteAddress;
    private final WireFormat format;
    /** Socket.IO: command id → the client's ack id, until the reply comes (bounded: old entries go first). */
    private final Map<String, Long> pendingAcks = new java.util.LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
            return size() > MAX_PENDING_ACKS;
        }
    };
    private final long outboundLimitBytes;
    private final IntConsumer closer;
    /** Frames waiting for the event loop; linked, so an idle socket holds one empty node. */
    private final Queue<WireFrame> outbound = Queues.<WireFrame>unboundedMultiproducer().get();
    private final AtomicLong queuedBytes = new AtomicLong();
    /** 1 while a drain is scheduled or running on the event loop (at most one at a time). */
    private volatile int draining;
    private static final AtomicIntegerFieldUpdater<ClientSession> DRAINING =
            AtomicIntegerFieldUpdater.newUpdater(ClientSession.class, "draining");
    private final Sinks.Empty<Void> outboundDone = Sinks.empty();
    /** When the socket last took a frame, or when a frame came to an empty queue: the wait of the oldest frame. */
    private volatile long waitingSince = System.currentTimeMillis();
    private volatile Outlet outlet;
    /** topic → the last seq sent to this session on it; present only while attached. */
    private final Map<String, TopicCursor> attached = new ConcurrentHashMap<>();
    private volatile UserRef user;
    private volatile long tokenExpiresAt;
    private final long openedAt = System.currentTimeMillis();
    private volatile long lastInboundAt = openedAt;
    private volatile long lastPingAt = openedAt;
    private volatile boolean closed;
    /** The close frame is written (event loop only). */
    private boolean closeWritten;

    private static final int MAX_PENDING_ACKS = 1024;

    public ClientSession(String id, String remoteAddress, long outboundLimitBytes, IntConsumer closer) {
        this(id, remoteAddress, WireFormat.NATIVE, outboundLimitBytes, closer);
    }

    public ClientSession(String id, String remoteAddress, WireFormat format, long outboundLimitBytes,
                         IntConsumer closer) {
        this.id = id;
        this.remoteAddress = remoteAddress;
        this.format = format;
        this.outboundLimitBytes = outboundLimitBytes;
        this.closer = closer;
    }

    public String id() {
        return id;
    }

    public String remoteAddress() {
        return remoteAddress;
    }

    public WireFormat format() {
        return format;
    }

    /** Remembers which client ack id answers the command {@code ref} (Socket.IO ack callbacks). */
    public void expectReply(String ref, long ackId) {
        synchronized (pendingAcks) {
            pendingAcks.put(ref, ackId);
        }
    }

    /** The client ack id waiting for {@code ref}'s reply, consumed; null if none. */
    public Long takeAck(String ref) {
        if (ref == null) {
            return null;
        }
        synchronized (pendingAcks) {
            return pendingAcks.remove(ref);
        }
    }

    /** Writes a server frame in this socket's format. */
    public void sendFrame(ServerFrame frame) {
        boolean reply = ServerFrame.ACK.equals(frame.type()) || ServerFrame.ERROR.equals(frame.type());
        send(reply ? format.encodeReply(this, frame) : format.encode(frame));
    }

    public UserRef user() {
        return user;
    }

    public boolean isAuthenticated() {
        return user != null;
    }

    void authenticate(UserRef user, long tokenExpiresAt) {
        this.user = user;
        this.tokenExpiresAt = tokenExpiresAt;
    }

    public long tokenExpiresAt() {
        return tokenExpiresAt;
    }

    void touched() {
        lastInboundAt = System.currentTimeMillis();
    }

    long lastInboundAt() {
        return lastInboundAt;
    }

    long openedAt() {
        return openedAt;
    }

    long lastPingAt() {
        return lastPingAt;
    }

    void pinged(long at) {
        lastPingAt = at;
    }

    /**
     * Queues a text frame and has it written. Deliveries (Kafka thread), replies to bad input
     * (event loop) and heartbeats (timer) all write to the same socket: the queue takes them from
     * any thread, and only the socket's event loop writes.
     */
    public void send(String frame) {
        if (!closed) {
            send(WireFrame.text(frame));
        }
    }

    /** Queues a frame already built for the wire (a delivery to many sessions passes them all the same one). */
    public void send(WireFrame frame) {
        if (enqueue(frame)) {
            Outlet outlet = this.outlet;
            if (outlet.loop().inEventLoop()) {
                drain();
            } else {
                outlet.loop().execute(this::drain);
            }
        }
    }

    /**
     * Queues a frame without writing it yet; true when the caller must now have {@link #drain()}
     * run on this session's {@link #loop()} (once). A fan-out queues a frame to every receiver and
     * then gives each event loop one task for all its sessions, not one task per socket.
     */
    public boolean enqueue(WireFrame frame) {
        if (closed) {
            return false;
        }
        int size = frame.size();
        long queued = queuedBytes.addAndGet(size);
        if (queued + transportPending() > outboundLimitBytes) {
            queuedBytes.addAndGet(-size); // not queued: the count stays what the socket holds
            close(CloseCodes.TRY_AGAIN_LATER);
            return false;
        }
        if (queued == size) {
            waitingSince = System.currentTimeMillis();
        }
        outbound.offer(frame);
        return outlet != null && DRAINING.compareAndSet(this, 0, 1);
    }

    /** The event loop that writes this session's frames (null until its socket is attached). */
    public EventExecutor loop() {
        Outlet outlet = this.outlet;
        return outlet == null ? null : outlet.loop();
    }

    /**
     * Writes queued frames to the socket, on its event loop, and flushes them together. Stops while
     * the socket is not writable (the client reads slower than frames come): the rest stays queued,
     * counted and timed as waiting, until what was written is taken. Once the close frame is
     * written nothing more is: a drain that resumes after it writes nothing.
     */
    public void drain() {
        Outlet outlet = this.outlet;
        while (true) {
            if (closeWritten) {
                return; // stays "draining": nothing is written after the close frame
            }
            if (!outlet.isOpen()) {
                // The socket is gone: nothing queued can be written, and nothing more is queued.
                closed = true;
                dropQueued();
                return; // stays "draining": no drain is scheduled again
            }
            if (!writeWhileWritable()) {
                // Resume once what is written has been taken; the frames left wait here, timed.
                outlet.whenWritten(this::drain);
                return; // stays "draining": the callback continues
            }
            draining = 0;
            // A frame queued after the last peek but before the flag dropped would be stranded: look again.
            if (outbound.isEmpty() || !DRAINING.compareAndSet(this, 0, 1)) {
                return;
            }
        }
    }

    /** Writes queued frames while the transport takes them, then flushes; false if frames are left waiting. */
    private boolean writeWhileWritable() {
        WireFrame frame;
        boolean wrote = false;
        while ((frame = outbound.peek()) != null) {
            if (!outlet.isWritable()) {
                outlet.flush();
                if (!outlet.isWritable()) {
                    return false;
                }
            }
            outbound.poll();
            queuedBytes.addAndGet(-frame.size());
            waitingSince = System.currentTimeMillis();
            outlet.write(frame);
            wrote = true;
        }
        if (wrote) {
            outlet.flush();
        }
        return true;
    }

    private void dropQueued() {
        outbound.clear();
        queuedBytes.set(0);
    }

    /**
     * Where a session's frames are written: its socket's channel. Called on {@link #loop()} only,
     * except {@code loop()} itself.
     */
    public interface Outlet {
        /** The socket's event loop. */
        EventExecutor loop();

        /** Writes a frame (not yet flushed). */
        void write(WireFrame frame);

        void flush();

        /** Whether the transport takes more now (below its high water mark). */
        boolean isWritable();

        boolean isOpen();

        /** Runs {@code resume} on the loop once what is written so far has been taken (or the socket failed). */
        void whenWritten(Runnable resume);

        /** Bytes written to the transport and not yet taken by the kernel; cheap and thread-safe. */
        long pendingBytes();

        /**
         * Writes the close frame after everything written so far and ends the connection the
         * WebSocket way (RFC 6455 §7.1.1): what the client sends meanwhile is read and dropped, its
         * close frame (or a bound of time) ends the connection. Closing with the client's frames
         * unread would reset it, and a client still writing then loses the close frame.
         */
        void close(int code);
    }

    /** Connects the session to its socket; frames queued before this are written then. */
    void attachOutlet(Outlet outlet) {
        this.outlet = outlet;
        if (!outbound.isEmpty() && DRAINING.compareAndSet(this, 0, 1)) {
            outlet.loop().execute(this::drain);
        }
    }

    private long transportPending() {
        Outlet outlet = this.outlet;
        return outlet == null ? 0 : outlet.pendingBytes();
    }

    /** Bytes of frames queued here plus those the transport still holds. */
    public long pendingBytes() {
        return queuedBytes.get() + transportPending();
    }

    /**
     * How long frames have waited without the socket taking any at {@code now} (0 when none
     * wait): the age of the oldest queued frame, or of the last progress if that is later.
     */
    public long stalledFor(long now) {
        return queuedBytes.get() > 0 ? Math.max(0, now - waitingSince) : 0;
    }

    /** A completion when the socket's outbound is done: after a close, once no more frames go out. */
    Mono<Void> outboundDone() {
        return outboundDone.asMono();
    }

    /**
     * Closes the socket with {@code code}, once, from any thread: nothing more is queued; on the
     * event loop, the frames queued before go out as far as the socket takes them, then the close
     * frame (a slow consumer's backlog is dropped, not waited for).
     */
    public void close(int code) {
        if (!closed) {
            closed = true;
            closer.accept(code);
            Outlet outlet = this.outlet;
            if (outlet == null) {
                return; // no socket attached: nothing to write the close frame to
            }
            if (outlet.loop().inEventLoop()) {
                writeClose(code);
            } else {
                outlet.loop().execute(() -> writeClose(code));
            }
        }
    }

    /** Called once, from {@link #close}, on the event loop. */
    private void writeClose(int code) {
        if (outlet.isOpen()) {
            writeWhileWritable();
            outlet.close(code);
        }
        closeWritten = true;
        dropQueued();
    }

    /**
     * The socket's outbound is over: nothing more is queued. (Frames already queued are dropped by
     * the event loop's next drain once the channel is closed; only that loop takes from the queue.)
     */
    void completeOutbound() {
        closed = true;
        outboundDone.tryEmitEmpty();
    }

    public boolean isClosed() {
        return closed;
    }

    // Stream topics

    public boolean isAttached(String topic) {
        return attached.containsKey(topic);
    }

    /**
     * Attaches from {@code fromSeq}: later events with a lower seq were already sent (a replay) or
     * are stale. Returns the topic's cursor, which the registry's topic index holds beside the session.
     */
    public TopicCursor attach(String topic, long fromSeq) {
        TopicCursor cursor = attached.computeIfAbsent(topic, t -> new TopicCursor(fromSeq - 1));
        cursor.raiseTo(fromSeq - 1);
        return cursor;
    }

    public void detach(String topic) {
        attached.remove(topic);
    }

    public Iterable<String> topics() {
        return attached.keySet();
    }

    /** What to do with an event of a stream topic carrying {@code seq}. */
    public enum SeqVerdict { SEND, DUPLICATE, GAP }

    /**
     * Decides and records in one step. A replay addressed to this session before its attach
     * counts too: the attach that follows starts after it.
     */
    public SeqVerdict offerSeq(String topic, long seq, boolean mustBeAttached) {
        // Called for every receiver of every event: a lookup and a compare under the cursor's
        // monitor, no allocation (a map compute with a boxed seq was a fifth of the fan-out's CPU).
        TopicCursor cursor = attached.get(topic);
        if (cursor == null) {
            if (mustBeAttached) {
                return SeqVerdict.DUPLICATE;
            }
            cursor = attached.computeIfAbsent(topic, t -> new TopicCursor(seq - 1));
        }
        SeqVerdict verdict = cursor.offer(seq, mustBeAttached);
        if (verdict == SeqVerdict.GAP) {
            attached.remove(topic, cursor);
        }
        return verdict;
    }

    /**
     * The last seq sent to one session on one topic. A fan-out to a topic's sessions finds it in
     * the registry's index beside each session ({@link SessionRegistry#attachedTo}), with no lookup
     * per receiver; its monitor orders an attach against a delivery.
     */
    public static final class TopicCursor {
        private long last;

        TopicCursor(long last) {
            this.last = last;
        }

        synchronized void raiseTo(long seq) {
            last = Math.max(last, seq);
        }

        /** For a session attached to the event's topic: send, drop as a duplicate, or a gap (then detach it). */
        public SeqVerdict offerAttached(long seq) {
            return offer(seq, true);
        }

        synchronized SeqVerdict offer(long seq, boolean mustBeAttached) {
            if (seq <= last) {
                return SeqVerdict.DUPLICATE;
            }
            if (mustBeAttached && seq > last + 1) {
                return SeqVerdict.GAP;
            }
            last = seq;
            return SeqVerdict.SEND;
        }
    }
}
