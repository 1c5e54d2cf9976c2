package dev.mesh.runtime.metrics;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.r2dbc.core.DatabaseClient;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Gauges read from the service's database (outbox lag, presence sessions, live quiz sessions):
 * each {@link Query} runs every {@code pollInterval}, off the scrape path and without blocking,
 * and the gauges show its last answer. A query answers rows of {@code (tag value, number)} when
 * it has a tag, else one number.
 */
public class SqlGauges implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(SqlGauges.class);

    /**
     * @param name        meter name ({@code mesh.*})
     * @param description what it measures, for the Prometheus help text
     * @param tag         the tag whose values the query's first column gives, or null for a single value
     * @param sql         the query: {@code SELECT tagValue, number} with a tag, {@code SELECT number} without
     */
    public record Query(String name, String description, String tag, String sql) {
    }

    private final DatabaseClient db;
    private final MeterRegistry meters;
    private final List<Query> queries;
    private final Duration pollInterval;
    private final Map<String, Map<String, AtomicReference<Double>>> values = new ConcurrentHashMap<>();
    private volatile Disposable polling;

    public SqlGauges(DatabaseClient db, MeterRegistry meters, List<Query> queries, Duration pollInterval) {
        this.db = db;
        this.meters = meters;
        this.queries = List.copyOf(queries);
        this.pollInterval = pollInterval;
        for (Query query : this.queries) {
            values.put(query.name(), new ConcurrentHashMap<>());
            if (query.tag() == null) {
                gauge(query, null);
            }
        }
    }

    private AtomicReference<Double> gauge(Query query, String tagValue) {
        return values.get(query.name()).computeIfAbsent(tagValue == null ? "" : tagValue, v -> {
            AtomicReference<Double> value = new AtomicReference<>(0.0);
            Gauge.Builder<AtomicReference<Double>> builder = Gauge.builder(query.name(), value, AtomicReference::get)
                    .description(query.description());
            if (tagValue != null) {
                builder.tag(query.tag(), tagValue);
            }
            builder.register(meters);
            return value;
        });
    }

    /**
     * The gauges' last values, by meter name: a number for a gauge without a tag, else a map of
     * tag value to number (what {@code /internal/stats} answers).
     */
    public Map<String, Object> snapshot() {
        Map<String, Object> result = new java.util.TreeMap<>();
        for (Query query : queries) {
            Map<String, AtomicReference<Double>> known = values.get(query.name());
            if (query.tag() == null) {
                AtomicReference<Double> value = known.get("");
                result.put(query.name(), value == null ? 0.0 : value.get());
            } else {
                Map<String, Double> byTag = new java.util.TreeMap<>();
                known.forEach((tagValue, value) -> byTag.put(tagValue, value.get()));
                result.put(query.name(), byTag);
            }
        }
        return result;
    }

    /** Runs every query once; completes when all gauges are updated. */
    public Mono<Void> poll() {
        return Flux.fromIterable(queries).concatMap(this::poll).then();
    }

    private Mono<Void> poll(Query query) {
        if (query.tag() == null) {
            return db.sql(query.sql()).map((row, meta) -> toDouble(row.get(0)))
                    .one()
                    .defaultIfEmpty(0.0)
                    .doOnNext(v -> gauge(query, null).set(v))
                    .then();
        }
        return db.sql(query.sql()).map((row, meta) -> Map.entry(String.valueOf(row.get(0)), toDouble(row.get(1))))
                .all()
                .collectList()
                .doOnNext(rows -> {
                    // Tag values no longer answered (a gateway that left) drop to 0.
                    Map<String, AtomicReference<Double>> known = values.get(query.name());
                    List<String> seen = new ArrayList<>();
                    for (Map.Entry<String, Double> row : rows) {
                        gauge(query, row.getKey()).set(row.getValue());
                        seen.add(row.getKey());
                    }
                    known.forEach((tagValue, value) -> {
                        if (!seen.contains(tagValue)) {
                            value.set(0.0);
                        }
                    });
                })
                .then();
    }

    private static double toDouble(Object value) {
        return value instanceof Number n ? n.doubleValue() : 0.0;
    }

    @Override
    public void start() {
        polling = Flux.interval(Duration.ZERO, pollInterval)
                .onBackpressureDrop()
                .concatMap(tick -> poll().onErrorResume(e -> {
                    log.debug("Database gauges not updated: {}", e.toString());
                    return Mono.empty();
                }), 1)
                .subscribe();
    }

    @Override
    public void stop() {
        Disposable p = polling;
        if (p != null) {
            p.dispose();
        }
        polling = null;
    }

    @Override
    public boolean isRunning() {
        return polling != null;
    }
}
