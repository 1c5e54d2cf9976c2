package dev.mesh.runtime.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

import reactor.util.context.Context;

class MeshTracingTest {

    private static final String TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    @AfterEach
    void clearMdc() {
        MDC.clear();
    }

    @Test
    void givenATracedContext_whenLogging_thenTheLinesCarryItsTraceAndSpanIdAndTheMdcIsRestoredAfter() {
        MDC.put("traceId", "outer");

        String[] seen = MeshTracing.withLogContext(Context.of(MeshTracing.CONTEXT_KEY, TRACEPARENT),
                () -> new String[] {MDC.get("traceId"), MDC.get("spanId")});

        assertThat(seen).containsExactly("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7");
        assertThat(MDC.get("traceId")).isEqualTo("outer");
        assertThat(MDC.get("spanId")).isNull();
    }

    @Test
    void givenNoTraceInTheContext_whenLogging_thenTheMdcIsLeftAlone() {
        String seen = MeshTracing.withLogContext(Context.empty(), () -> MDC.get("traceId"));

        assertThat(seen).isNull();
    }

    @Test
    void givenRecordHeaders_whenTheTraceparentIsSetTwice_thenOnlyTheLastRemains() {
        RecordHeaders headers = new RecordHeaders();

        MeshTracing.setHeader(headers, "first");
        MeshTracing.setHeader(headers, TRACEPARENT);
        MeshTracing.setHeader(headers, null);

        assertThat(headers.headers(MeshTracing.TRACEPARENT)).hasSize(1);
        assertThat(MeshTracing.headerOf(headers)).isEqualTo(TRACEPARENT);
    }

    @Test
    void givenTracingOff_whenSpansAreStarted_thenNoTraceparentIsProduced() {
        MeshTracing off = MeshTracing.noop();

        assertThat(off.traceparent(off.start("x"))).isNull();
        assertThat(off.traceparent(off.startFrom("x", TRACEPARENT))).isNull();
    }
}
