package dev.mesh.runtime.tracing;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.slf4j.MDC;

import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import reactor.util.context.ContextView;

/**
 * One trace per client command, end to end (ARCHITECTURE §7): the gateway starts it when it
 * forwards the frame, the W3C {@code traceparent} travels in Kafka record headers to the
 * service, which keeps it with every outbox row its transaction writes (column
 * {@code mesh_outbox.trace_parent}); the relay sends it along with the row, and every gateway
 * that delivers the record continues the trace.
 *
 * <p>Inside reactive chains the current {@code traceparent} is carried in the Reactor context
 * under {@link #CONTEXT_KEY}: {@code Outbox} stores it and {@code KafkaPublisher} sends it as a
 * header, whatever thread they run on. Spans are created here, on the thread that runs the
 * step (which also puts the trace id into that thread's log lines while the span is in scope).
 *
 * <p>Without a tracer (tracing disabled) every method is a no-op.
 */
public class MeshTracing {

    /** The W3C trace-context header on Kafka records. */
    public static final String TRACEPARENT = "traceparent";
    /** Reactor context key holding the traceparent of the command being applied. */
    public static final String CONTEXT_KEY = "mesh.traceparent";

    private final Tracer tracer;
    private final Propagator propagator;

    public MeshTracing(Tracer tracer, Propagator propagator) {
        this.tracer = tracer;
        this.propagator = propagator;
    }

    public static MeshTracing noop() {
        return new MeshTracing(Tracer.NOOP, Propagator.NOOP);
    }

    /** A new root span (a client frame arriving at the gateway). */
    public Span start(String name) {
        return tracer.nextSpan().name(name).start();
    }

    /** A span continuing the trace named in these record headers; a new root when they name none. */
    public Span startFrom(String name, Headers headers) {
        return propagator.extract(headers, MeshTracing::header).name(name).kind(Span.Kind.CONSUMER).start();
    }

    /** A span continuing the trace of a stored traceparent; a new root when it is null. */
    public Span startFrom(String name, String traceparent) {
        if (traceparent == null) {
            return start(name);
        }
        return propagator.extract(Map.of(TRACEPARENT, traceparent), Map::get).name(name).start();
    }

    /** Makes the span current on this thread (log lines carry its trace id) until the scope closes. */
    public Tracer.SpanInScope inScope(Span span) {
        return tracer.withSpan(span);
    }

    /** The span's W3C traceparent, or null when tracing is off. */
    public String traceparent(Span span) {
        Map<String, String> carrier = new HashMap<>(4);
        propagator.inject(span.context(), carrier, Map::put);
        return carrier.get(TRACEPARENT);
    }

    /** Sets the traceparent header on a record's headers (replacing any). */
    public static void setHeader(Headers headers, String traceparent) {
        if (traceparent != null) {
            headers.remove(TRACEPARENT);
            headers.add(TRACEPARENT, traceparent.getBytes(StandardCharsets.UTF_8));
        }
    }

    /**
     * Runs {@code action} with the trace of the subscriber's context (if any) in the logging MDC
     * ({@code traceId}, {@code spanId}), for log lines written inside a reactive chain, on a thread
     * the span is not current on. What the MDC held before is put back.
     */
    public static <T> T withLogContext(ContextView context, Supplier<T> action) {
        String traceparent = context.getOrDefault(CONTEXT_KEY, null);
        // 00-<32 hex trace id>-<16 hex span id>-<2 hex flags>
        if (traceparent == null || traceparent.length() != 55) {
            return action.get();
        }
        String traceId = MDC.get("traceId");
        String spanId = MDC.get("spanId");
        MDC.put("traceId", traceparent.substring(3, 35));
        MDC.put("spanId", traceparent.substring(36, 52));
        try {
            return action.get();
        } finally {
            restore("traceId", traceId);
            restore("spanId", spanId);
        }
    }

    private static void restore(String key, String value) {
        if (value == null) {
            MDC.remove(key);
        } else {
            MDC.put(key, value);
        }
    }

    /** The traceparent header of a record, or null. */
    public static String headerOf(Headers headers) {
        return header(headers, TRACEPARENT);
    }

    private static String header(Headers headers, String key) {
        Header header = headers.lastHeader(key);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
