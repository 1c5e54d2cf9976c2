package dev.mesh.runtime.outbox;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.kafka.core.KafkaTemplate;

import dev.mesh.runtime.MeshProperties;
import dev.mesh.runtime.kafka.KafkaPublisher;
import dev.mesh.runtime.tracing.MeshTracing;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.tracing.Span;
import io.r2dbc.postgresql.api.PostgresqlConnection;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.Wrapped;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Publishes the outbox to Kafka in id order. One relay per service is active: the one holding
 * a PostgreSQL advisory lock on its own connection (if that process or connection dies, the
 * lock goes with it and another instance takes over). It wakes on {@code NOTIFY mesh_outbox}
 * and polls as a fallback. Rows are marked after Kafka acknowledged them; a crash in between
 * publishes them again, which consumers absorb (gateways drop seq duplicates, services dedupe
 * by eventId). There is no high-water mark: a row that commits late is still found.
 *
 * <p>It runs on a thread of its own, which may block; never on an event loop.
 */
public class OutboxRelay implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(OutboxRelay.class);
    private static final String LOCK_SQL = "SELECT pg_try_advisory_lock(hashtext('mesh_outbox_relay'))";

    private final ConnectionFactory connections;
    private final KafkaTemplate<String, String> kafka;
    private final MeshProperties.Outbox settings;
    private final Semaphore wake = new Semaphore(0);
    private final AtomicInteger leader = new AtomicInteger();
    private final Counter published;
    private final Counter skipped;
    private final MeshTracing tracing;
    private volatile boolean running;
    private volatile Thread worker;
    private volatile Connection current;

    public OutboxRelay(ConnectionFactory connections, KafkaTemplate<String, String> kafka,
                       MeshProperties.Outbox settings, MeterRegistry meters) {
        this(connections, kafka, settings, meters, MeshTracing.noop());
    }

    public OutboxRelay(ConnectionFactory connections, KafkaTemplate<String, String> kafka,
                       MeshProperties.Outbox settings, MeterRegistry meters, MeshTracing tracing) {
        this.tracing = tracing;
        // The relay's connection must not come from a pool: the advisory lock lives and dies with it.
        this.connections = connections instanceof Wrapped<?> pool && pool.unwrap() instanceof ConnectionFactory raw
                ? raw : connections;
        this.kafka = kafka;
        this.settings = settings;
        meters.gauge("mesh.outbox.leader", leader);
        this.published = meters.counter("mesh.outbox.published");
        this.skipped = meters.counter("mesh.outbox.skipped");
    }

    public boolean isLeader() {
        return leader.get() == 1;
    }

    @Override
    public void start() {
        running = true;
        worker = Thread.ofPlatform().name("outbox-relay").daemon().start(this::run);
    }

    @Override
    public void stop() {
        running = false;
        Thread t = worker;
        if (t != null) {
            t.interrupt();
            try {
                t.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        // Stop after the Kafka listeners (default phase) so their last outbox rows still go out.
        return Integer.MAX_VALUE - 100;
    }

    private void run() {
        while (running) {
            Connection connection = null;
            Disposable notifications = null;
            try {
                connection = Mono.from(connections.create()).block(Duration.ofSeconds(10));
                current = connection;
                if (!tryLock(connection)) {
                    close(connection);
                    sleep(settings.pollInterval().multipliedBy(4));
                    continue;
                }
                leader.set(1);
                log.info("Outbox relay elected: this instance publishes the outbox");
                notifications = listen(connection);
                Instant nextCleanup = Instant.now();
                while (running) {
                    int sent = publishBatch(connection);
                    if (Instant.now().isAfter(nextCleanup)) {
                        cleanup(connection);
                        nextCleanup = Instant.now().plusSeconds(60);
                    }
                    if (sent < settings.batchSize()) {
                        wake.tryAcquire(settings.pollInterval().toMillis(), TimeUnit.MILLISECONDS);
                        wake.drainPermits();
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                running = false;
            } catch (RuntimeException e) {
                if (running) {
                    log.warn("Outbox relay lost its connection or Kafka ({}); retrying", e.toString());
                    sleep(Duration.ofSeconds(1));
                }
            } finally {
                if (leader.getAndSet(0) == 1) {
                    log.info("Outbox relay stepped down");
                }
                if (notifications != null) {
                    notifications.dispose();
                }
                if (connection != null) {
                    close(connection);
                }
            }
        }
    }

    private boolean tryLock(Connection connection) {
        return Boolean.TRUE.equals(Flux.from(connection.createStatement(LOCK_SQL).execute())
                .flatMap(result -> result.map((row, meta) -> row.get(0, Boolean.class)))
                .blockFirst(Duration.ofSeconds(10)));
    }

    private Disposable listen(Connection connection) {
        PostgresqlConnection pg = unwrap(connection);
        Flux.from(pg.createStatement("LISTEN mesh_outbox").execute())
                .flatMap(result -> result.getRowsUpdated())
                .blockLast(Duration.ofSeconds(10));
        return pg.getNotifications().subscribe(n -> wake.release(), e -> wake.release());
    }

    private int publishBatch(Connection connection) throws InterruptedException {
        List<Row> rows = Flux.from(connection.createStatement("""
                        SELECT id, topic, record_key, audience, payload, trace_parent FROM mesh_outbox
                        WHERE published_at IS NULL ORDER BY id LIMIT $1""")
                        .bind("$1", settings.batchSize())
                        .execute())
                .flatMap(result -> result.map((row, meta) -> new Row(row.get("id", Long.class),
                        row.get("topic", String.class), row.get("record_key", String.class),
                        row.get("audience", String.class), row.get("payload", String.class),
                        row.get("trace_parent", String.class))))
                .collectList()
                .block(Duration.ofSeconds(10));
        if (rows == null || rows.isEmpty()) {
            return 0;
        }
        // Sent in id order; the idempotent producer keeps that order within each partition.
        List<CompletableFuture<?>> sends = new ArrayList<>(rows.size());
        List<Span> spans = new ArrayList<>(rows.size());
        for (Row row : rows) {
            ProducerRecord<String, String> record = KafkaPublisher.record(row.topic, row.key, row.payload, row.audience);
            if (row.traceparent != null) {
                // The row's command trace goes on: this hop is the relay's publish, its child the consumers.
                Span span = tracing.startFrom("mesh.outbox.publish", row.traceparent)
                        .tag("messaging.destination.name", row.topic);
                MeshTracing.setHeader(record.headers(), tracing.traceparent(span));
                spans.add(span);
            }
            sends.add(kafka.send(record));
        }
        try {
            return awaitSends(connection, rows, sends);
        } finally {
            spans.forEach(Span::end);
        }
    }

    private int awaitSends(Connection connection, List<Row> rows, List<CompletableFuture<?>> sends)
            throws InterruptedException {
        List<Long> done = new ArrayList<>(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            try {
                sends.get(i).get(30, TimeUnit.SECONDS);
                done.add(rows.get(i).id);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RecordTooLargeException) {
                    // A row Kafka will never take must not block the relay forever.
                    log.error("Outbox row {} for {} is too large for Kafka and is skipped", rows.get(i).id, rows.get(i).topic);
                    skipped.increment();
                    done.add(rows.get(i).id);
                } else {
                    markPublished(connection, done);
                    throw new IllegalStateException("Kafka refused outbox row " + rows.get(i).id, e.getCause());
                }
            } catch (java.util.concurrent.TimeoutException e) {
                markPublished(connection, done);
                throw new IllegalStateException("Kafka did not acknowledge outbox row " + rows.get(i).id);
            }
        }
        markPublished(connection, done);
        published.increment(done.size());
        return rows.size();
    }

    private void markPublished(Connection connection, List<Long> ids) {
        if (ids.isEmpty()) {
            return;
        }
        Flux.from(connection.createStatement("UPDATE mesh_outbox SET published_at = now() WHERE id = ANY($1)")
                        .bind("$1", ids.toArray(Long[]::new))
                        .execute())
                .flatMap(result -> result.getRowsUpdated())
                .blockLast(Duration.ofSeconds(10));
    }

    private void cleanup(Connection connection) {
        long seconds = settings.retention().toSeconds();
        Flux.from(connection.createStatement(
                        "DELETE FROM mesh_outbox WHERE published_at < now() - make_interval(secs => $1)")
                        .bind("$1", (double) seconds)
                        .execute())
                .flatMap(result -> result.getRowsUpdated())
                .blockLast(Duration.ofSeconds(30));
        Flux.from(connection.createStatement(
                        "DELETE FROM mesh_processed_commands WHERE created_at < now() - interval '24 hours'")
                        .execute())
                .flatMap(result -> result.getRowsUpdated())
                .blockLast(Duration.ofSeconds(30));
    }

    private static PostgresqlConnection unwrap(Connection connection) {
        Object c = connection;
        while (!(c instanceof PostgresqlConnection) && c instanceof Wrapped<?> wrapped) {
            c = wrapped.unwrap();
        }
        if (c instanceof PostgresqlConnection pg) {
            return pg;
        }
        throw new IllegalStateException("The outbox relay needs a PostgreSQL R2DBC connection, got " + connection.getClass());
    }

    private void close(Connection connection) {
        try {
            Mono.from(connection.close()).block(Duration.ofSeconds(5));
        } catch (RuntimeException e) {
            log.debug("Closing the relay connection failed: {}", e.toString());
        }
    }

    private void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    private record Row(Long id, String topic, String key, String audience, String payload, String traceparent) {
    }
}
