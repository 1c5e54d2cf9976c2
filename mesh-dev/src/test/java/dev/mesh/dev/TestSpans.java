package dev.mesh.dev;

import java.util.List;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.context.annotation.Bean;

import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.samplers.Sampler;

/**
 * Test-only auto-configuration every app of the test mesh picks up (all share this classpath):
 * every trace is sampled, and while {@link #record} is on, each ended span of every app goes to
 * one in-memory exporter, so a test sees one trace across the gateways and the services.
 */
@AutoConfiguration(beforeName = "org.springframework.boot.micrometer.tracing.opentelemetry.autoconfigure.OpenTelemetryTracingAutoConfiguration")
public class TestSpans {

    private static final InMemorySpanExporter EXPORTER = InMemorySpanExporter.create();
    private static volatile boolean recording;

    /** Starts recording from an empty exporter. */
    static void record() {
        EXPORTER.reset();
        recording = true;
    }

    static void stop() {
        recording = false;
        EXPORTER.reset();
    }

    static List<SpanData> finished() {
        return EXPORTER.getFinishedSpanItems();
    }

    @Bean
    Sampler meshTestSampler() {
        return Sampler.alwaysOn();
    }

    @Bean
    SpanProcessor meshTestSpanProcessor() {
        return new SpanProcessor() {
            @Override
            public void onStart(Context parentContext, ReadWriteSpan span) {
            }

            @Override
            public boolean isStartRequired() {
                return false;
            }

            @Override
            public void onEnd(ReadableSpan span) {
                if (recording && span.getSpanContext().isSampled()) {
                    EXPORTER.export(List.of(span.toSpanData()));
                }
            }

            @Override
            public boolean isEndRequired() {
                return true;
            }
        };
    }
}
