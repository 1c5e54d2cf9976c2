package dev.mesh.quiz.messaging;

import java.time.Clock;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import dev.mesh.contracts.MeshJson;
import dev.mesh.contracts.kafka.CommandEnvelope;
import dev.mesh.contracts.kafka.Topics;
import dev.mesh.contracts.kafka.UserRef;
import dev.mesh.contracts.quiz.QuizCommands;
import dev.mesh.quiz.config.QuizProperties;
import dev.mesh.quiz.store.SessionStore;
import dev.mesh.runtime.MeshProperties;
import dev.mesh.runtime.kafka.KafkaPublisher;

/**
 * The server's clock for quizzes (ARCHITECTURE §5, "timers belong to the database"): scans the
 * stored due times ({@code quiz_sessions.due_at}: a question's deadline plus grace, the end of a
 * reveal's pause) and writes a {@code quiz:tick} for each due session into {@code quiz.commands},
 * keyed by the session, so the tick is applied by the partition's owner in order with the answers.
 * Every instance scans; duplicate ticks are harmless (the tick carries the state version it was
 * made for). Nothing is held in memory but which ticks were just sent, so a new instance simply
 * continues from the database. Runs on its own thread, never on an event loop.
 */
@Component
public class DeadlineScheduler implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(DeadlineScheduler.class);
    private static final int SCAN_LIMIT = 500;
    private static final Duration IO_LIMIT = Duration.ofSeconds(5);
    private static final UserRef SCHEDULER = new UserRef("quiz-scheduler", "quiz scheduler", List.of());

    private final SessionStore sessions;
    private final KafkaPublisher publisher;
    private final QuizProperties settings;
    private final String instanceId;
    private final Clock clock;
    /** (session, version) → when its tick was sent; bounded by the scan limit. */
    private final Map<String, Long> sent = new LinkedHashMap<>();
    private ScheduledExecutorService executor;
    private long lastWarning;

    public DeadlineScheduler(SessionStore sessions, KafkaPublisher publisher, QuizProperties settings,
                             MeshProperties mesh, Clock clock) {
        this.sessions = sessions;
        this.publisher = publisher;
        this.settings = settings;
        this.instanceId = mesh.instanceId();
        this.clock = clock;
    }

    @Override
    public synchronized void start() {
        executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "quiz-deadlines");
            thread.setDaemon(true);
            return thread;
        });
        long interval = settings.scanInterval().toMillis();
        executor.scheduleWithFixedDelay(this::scanSafely, interval, interval, TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void stop() {
        if (executor != null) {
            executor.shutdownNow();
            executor = null;
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return executor != null;
    }

    private void scanSafely() {
        try {
            scan();
        } catch (RuntimeException e) {
            long now = clock.millis();
            // Every scan fails while the database or Kafka is away: say so every 10 s, not 5 times a second.
            if (now - lastWarning >= 10_000) {
                lastWarning = now;
                log.warn("Quiz deadline scan failed; trying again: {}", e.toString());
            }
        }
    }

    /** One scan: a tick for every due session not ticked for its current version within {@code tickResend}. */
    void scan() {
        long now = clock.millis();
        List<SessionStore.Due> due = sessions.due(now - settings.tickDelay().toMillis(), SCAN_LIMIT)
                .collectList().block(IO_LIMIT);
        if (due == null) {
            return;
        }
        long resend = settings.tickResend().toMillis();
        sent.values().removeIf(at -> now - at > 10 * resend);
        for (SessionStore.Due session : due) {
            String ticket = session.sessionId() + "@" + session.stateVersion();
            Long last = sent.get(ticket);
            if (last != null && now - last < resend) {
                continue;
            }
            CommandEnvelope tick = new CommandEnvelope(UUID.randomUUID().toString(), QuizCommands.TICK,
                    MeshJson.tree(new QuizCommands.Tick(session.sessionId(), session.index(), session.stateVersion())),
                    SCHEDULER, new CommandEnvelope.ReplyTo(instanceId, "quiz-scheduler"), now);
            publisher.send(Topics.QUIZ_COMMANDS, session.sessionId(), MeshJson.write(tick), null).block(IO_LIMIT);
            sent.put(ticket, now);
            trim();
        }
    }

    private void trim() {
        Iterator<String> oldest = sent.keySet().iterator();
        while (sent.size() > SCAN_LIMIT * 2 && oldest.hasNext()) {
            oldest.next();
            oldest.remove();
        }
    }
}
