package dev.mesh.runtime.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.transaction.reactive.TransactionalOperator;

import dev.mesh.contracts.kafka.Topics;
import dev.mesh.runtime.MeshProperties;
import dev.mesh.runtime.outbox.OutboxRelay;
import dev.mesh.runtime.store.Outbox;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.r2dbc.spi.ConnectionFactory;
import reactor.core.publisher.Flux;

/**
 * The elected outbox relay (ARCHITECTURE §5) on the app's database and Kafka. The app's own
 * relay is stopped for this class, so the relays built here are the only candidates.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OutboxRelayTest extends RuntimeIntegrationTest {

    private static final MeshProperties.Outbox SETTINGS =
            new MeshProperties.Outbox(Duration.ofMillis(200), 200, Duration.ofHours(1));

    @Autowired
    ConnectionFactory connectionFactory;
    @Autowired
    KafkaTemplate<String, String> kafkaTemplate;
    @Autowired
    OutboxRelay appRelay;
    @Autowired
    Outbox outbox;
    @Autowired
    TransactionalOperator meshTransactions;

    private final List<OutboxRelay> relays = new ArrayList<>();
    private String topic;
    private KafkaReader reader;

    @BeforeAll
    void stopTheAppRelay() {
        appRelay.stop();
        // Its advisory lock must go with its connection, or no relay built here could ever lead.
        await().atMost(Duration.ofSeconds(10)).until(() -> advisoryLocks() == 0);
    }

    @AfterAll
    void restartTheAppRelay() {
        appRelay.start();
    }

    @BeforeEach
    void freshTopic() {
        // One partition: the order of the topic is the order the relay sent in.
        topic = "rt.relay-" + UUID.randomUUID().toString().substring(0, 8);
        createTopic(topic, 1);
        reader = KafkaReader.fromBeginning(topic);
    }

    @AfterEach
    void stopRelays() {
        relays.forEach(OutboxRelay::stop);
        relays.clear();
        reader.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> advisoryLocks() == 0);
    }

    @Test
    void givenTwoRelaysOnOneDatabase_whenStarted_thenExactlyOneLeadsAndPublishesTheRowsInIdOrder() throws SQLException {
        OutboxRelay a = relay();
        OutboxRelay b = relay();

        await().atMost(WAIT).until(() -> a.isLeader() || b.isLeader());
        // The follower retries every 4 poll intervals (800 ms): watch it try and fail at least once.
        long end = System.nanoTime() + Duration.ofMillis(1000).toNanos();
        while (System.nanoTime() < end) {
            assertThat(a.isLeader() ^ b.isLeader()).as("exactly one leader").isTrue();
            sleep(20);
        }
        assertThat(advisoryLocks()).isEqualTo(1);

        List<String> payloads = new ArrayList<>();
        Flux<Void> appends = Flux.range(1, 10).concatMap(i -> {
            payloads.add("p" + i);
            return outbox.append(topic, "k" + (i % 3), "p" + i, "topic:chat:room:r" + i);
        });
        meshTransactions.transactional(appends).blockLast(WAIT);

        List<ConsumerRecord<String, String>> records = reader.awaitUntil(WAIT, r -> r.size() >= 10);
        assertThat(records).extracting(ConsumerRecord::value).containsExactlyElementsOf(rowPayloadsInIdOrder());
        assertThat(records).extracting(ConsumerRecord::value).containsExactlyElementsOf(payloads);
        assertThat(records.getFirst().key()).isEqualTo("k1");
        assertThat(new String(records.getFirst().headers().lastHeader(Topics.AUDIENCE_HEADER).value(), StandardCharsets.UTF_8))
                .isEqualTo("topic:chat:room:r1");
        await().atMost(WAIT).until(() -> unpublished() == 0);
        assertThat(reader.drain(Duration.ofMillis(300))).hasSize(10);
    }

    @Test
    void givenALeader_whenItStops_thenTheOtherTakesOverWithinSecondsAndPublishesLaterRows() {
        OutboxRelay a = relay();
        OutboxRelay b = relay();
        await().atMost(WAIT).until(() -> a.isLeader() || b.isLeader());
        OutboxRelay leader = a.isLeader() ? a : b;
        OutboxRelay follower = leader == a ? b : a;
        insert("before-1", "before-2", "before-3");
        reader.awaitUntil(WAIT, r -> r.size() >= 3);
        await().atMost(WAIT).until(() -> unpublished() == 0);

        long stopped = System.nanoTime();
        leader.stop();
        insert("after-1", "after-2", "after-3");

        await().atMost(Duration.ofSeconds(5)).until(follower::isLeader);
        long tookOverMs = (System.nanoTime() - stopped) / 1_000_000;
        List<ConsumerRecord<String, String>> records = reader.awaitUntil(WAIT, r -> r.size() >= 6);
        assertThat(tookOverMs).isLessThan(5000);
        assertThat(leader.isLeader()).isFalse();
        assertThat(records).extracting(ConsumerRecord::value)
                .containsExactly("before-1", "before-2", "before-3", "after-1", "after-2", "after-3");
        await().atMost(WAIT).until(() -> unpublished() == 0);
        assertThat(reader.drain(Duration.ofMillis(300))).hasSize(6);
    }

    @Test
    void givenALeader_whenItsDatabaseConnectionDies_thenTheLockGoesWithItAndTheOtherPublishes() {
        // A crashed leader process looks like this to PostgreSQL: its session ends, and its
        // session-level advisory lock is released with it.
        OutboxRelay a = relay();
        OutboxRelay b = relay();
        await().atMost(WAIT).until(() -> a.isLeader() || b.isLeader());
        OutboxRelay leader = a.isLeader() ? a : b;
        OutboxRelay follower = leader == a ? b : a;

        Long pid = queryLong("""
                SELECT l.pid::bigint FROM pg_locks l JOIN pg_database d ON d.oid = l.database
                WHERE l.locktype = 'advisory' AND l.granted AND d.datname = current_database()""");
        assertThat(pid).isNotNull();
        // CASE, not AND: PostgreSQL may evaluate a WHERE's terms in any order, and would terminate every session.
        assertThat(queryLong("SELECT CASE WHEN pg_terminate_backend(?) THEN 1::bigint ELSE 0::bigint END",
                pid.intValue())).isEqualTo(1L);
        insert("after-crash-1", "after-crash-2");

        await().atMost(Duration.ofSeconds(5)).until(follower::isLeader);
        // The old leader finds its connection dead at its next round and steps down.
        await().atMost(Duration.ofSeconds(5)).until(() -> !leader.isLeader());
        List<ConsumerRecord<String, String>> records = reader.awaitUntil(WAIT, r -> r.size() >= 2);
        assertThat(records).extracting(ConsumerRecord::value).containsExactly("after-crash-1", "after-crash-2");
        await().atMost(WAIT).until(() -> unpublished() == 0);
        assertThat(a.isLeader() ^ b.isLeader()).isTrue();
    }

    @Test
    void givenARowWhoseTransactionCommitsAfterLaterRows_whenItCommits_thenItIsStillPublishedOnce() throws SQLException {
        // The interleaving a high-water mark gets wrong:
        //   T1: BEGIN; INSERT 'late' (takes id N, uncommitted)
        //   T2: INSERT 'early-1' (id N+1), COMMIT      T3: INSERT 'early-2' (id N+2), COMMIT
        //   relay: publishes early-1, early-2 ('late' is invisible); a "WHERE id > last" relay now sits at N+2
        //   T1: COMMIT -> 'late' must still be found by "published_at IS NULL" and published.
        relay();
        try (Connection t1 = jdbc()) {
            t1.setAutoCommit(false);
            long lateId = insertReturningId(t1, "late");

            long early1 = insertCommitted("early-1");
            long early2 = insertCommitted("early-2");
            assertThat(lateId).isLessThan(early1).isLessThan(early2);
            reader.awaitUntil(WAIT, r -> r.size() >= 2);
            await().atMost(WAIT).until(() -> publishedAt(early1) && publishedAt(early2));
            assertThat(reader.drain(Duration.ofMillis(300))).extracting(ConsumerRecord::value)
                    .containsExactly("early-1", "early-2");

            t1.commit();

            reader.awaitUntil(WAIT, r -> r.size() >= 3);
            await().atMost(WAIT).until(() -> publishedAt(lateId));
        }
        assertThat(reader.drain(Duration.ofMillis(300))).extracting(ConsumerRecord::value)
                .containsExactly("early-1", "early-2", "late");
    }

    // --- helpers

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private OutboxRelay relay() {
        OutboxRelay relay = new OutboxRelay(connectionFactory, kafkaTemplate, SETTINGS, new SimpleMeterRegistry());
        relays.add(relay);
        relay.start();
        return relay;
    }

    private void insert(String... payloads) {
        for (String payload : payloads) {
            meshTransactions.transactional(outbox.append(topic, "k", payload, null)).block(WAIT);
        }
    }

    private long insertCommitted(String payload) throws SQLException {
        try (Connection connection = jdbc()) {
            return insertReturningId(connection, payload);
        }
    }

    private long insertReturningId(Connection connection, String payload) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO mesh_outbox (topic, record_key, payload) VALUES (?, 'k', ?) RETURNING id")) {
            insert.setString(1, topic);
            insert.setString(2, payload);
            try (ResultSet rows = insert.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }

    private List<String> rowPayloadsInIdOrder() throws SQLException {
        List<String> payloads = new ArrayList<>();
        try (Connection connection = jdbc();
             PreparedStatement query = connection.prepareStatement("SELECT payload FROM mesh_outbox WHERE topic = ? ORDER BY id")) {
            query.setString(1, topic);
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    payloads.add(rows.getString(1));
                }
            }
        }
        return payloads;
    }

    private long unpublished() {
        return queryLong("SELECT count(*) FROM mesh_outbox WHERE topic = ? AND published_at IS NULL", topic);
    }

    private static boolean publishedAt(long id) {
        return queryLong("SELECT count(*) FROM mesh_outbox WHERE id = ? AND published_at IS NOT NULL", id) == 1;
    }

    /** Advisory locks held in this database: the relay's election lock is the only one the runtime takes. */
    private static long advisoryLocks() {
        return queryLong("""
                SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database
                WHERE l.locktype = 'advisory' AND l.granted AND d.datname = current_database()""");
    }
}
