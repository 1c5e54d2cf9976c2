package dev.mesh.gateway.socket;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntConsumer;
import java.util.function.LongSupplier;

import dev.mesh.contracts.kafka.UserRef;
import dev.mesh.contracts.wire.CloseCodes;
import dev.mesh.contracts.wire.ServerFrame;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;
import reactor.util.concurrent.Queues;

/**
 * One client socket at this gateway: who it is, which stream topics it is attached to (with
 * the last seq sent on each, to drop duplicates and see gaps), and its outbound queue,
 * bounded in bytes: a client that does not read is closed with 1013 rather than buffered
 * without limit (ARCHITECTURE §5, backpressure).
 *
 * <p>The bound covers everything this process holds for the socket: the frames queued here and
 * the bytes the transport has taken but the kernel has not yet accepted ({@link #transportPending}).
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
    /** UTF-8 frames; the queue grows by links of 16 (an idle socket holds one small link, not 256 slots). */
    private final Sinks.Many<byte[]> outbound = Sinks.many().unicast().onBackpressureBuffer(Queues.<byte[]>unbounded(16).get());
    private final AtomicLong queuedBytes = new AtomicLong();
    /** When the socket last took a frame, or when a frame came to an empty queue: the wait of the oldest frame. */
    private volatile long waitingSince = System.currentTimeMillis();
    private volatile LongSupplier transportPending = () -> 0;
    /** topic → last seq sent to this session on it; present only while attached. */
    private final Map<String, Long> attached = new ConcurrentHashMap<>();
    private volatile UserRef user;
    private volatile long tokenExpiresAt;
    private volatile long lastInboundAt = System.currentTimeMillis();
    private volatile boolean closed;

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

    /**
     * Queues a text frame. Emission is serialized because deliveries (Kafka thread), replies
     * to bad input (event loop) and heartbeats (timer) all write to the same socket.
     */
    public void send(String frame) {
        if (!closed) {
            send(frame.getBytes(StandardCharsets.UTF_8));
        }
    }

    /**
     * Queues a text frame already encoded as UTF-8. A delivery to many sessions passes them all
     * the same array (encoded once per gateway, wrapped, never copied, by each socket): it must
     * not be changed afterwards.
     */
    public void send(byte[] utf8Frame) {
        if (closed) {
            return;
        }
        int size = utf8Frame.length;
        long queued = queuedBytes.addAndGet(size);
        if (queued + transportPending.getAsLong() > outboundLimitBytes) {
            queuedBytes.addAndGet(-size); // not queued: the count stays what the socket holds
            close(CloseCodes.TRY_AGAIN_LATER);
            return;
        }
        if (queued == size) {
            waitingSince = System.currentTimeMillis();
        }
        synchronized (outbound) {
            outbound.tryEmitNext(utf8Frame);
        }
    }

    /**
     * Tells the session how many bytes its transport holds beyond this queue (written, not yet
     * accepted by the kernel); they count against the same limit. Must be cheap and thread-safe.
     */
    void transportPending(LongSupplier bytes) {
        this.transportPending = bytes;
    }

    /** Bytes of frames queued here plus those the transport still holds. */
    public long pendingBytes() {
        return queuedBytes.get() + transportPending.getAsLong();
    }

    /**
     * How long frames have waited without the socket taking any at {@code now} (0 when none
     * wait): the age of the oldest queued frame, or of the last progress if that is later.
     */
    public long stalledFor(long now) {
        return queuedBytes.get() > 0 ? Math.max(0, now - waitingSince) : 0;
    }

    /** The frames to write, counted out of the queue as the socket takes them. */
    Flux<byte[]> outbound() {
        return outbound.asFlux().doOnNext(frame -> {
            waitingSince = System.currentTimeMillis();
            queuedBytes.addAndGet(-frame.length);
        });
    }

    public void close(int code) {
        if (!closed) {
            closed = true;
            closer.accept(code);
        }
    }

    void completeOutbound() {
        closed = true;
        synchronized (outbound) {
            outbound.tryEmitComplete();
        }
    }

    public boolean isClosed() {
        return closed;
    }

    // Stream topics

    public boolean isAttached(String topic) {
        return attached.containsKey(topic);
    }

    /** Attaches from {@code fromSeq}: later events with a lower seq were already sent (a replay) or are stale. */
    public void attach(String topic, long fromSeq) {
        attached.merge(topic, fromSeq - 1, Math::max);
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
        SeqVerdict[] verdict = {SeqVerdict.SEND};
        attached.compute(topic, (t, last) -> {
            if (last == null) {
                if (mustBeAttached) {
                    verdict[0] = SeqVerdict.DUPLICATE;
                    return null;
                }
                return seq;
            }
            if (seq <= last) {
                verdict[0] = SeqVerdict.DUPLICATE;
                return last;
            }
            if (mustBeAttached && seq > last + 1) {
                verdict[0] = SeqVerdict.GAP;
                return null;
            }
            return seq;
        });
        return verdict[0];
    }
}
