package dev.mesh.runtime.it;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

import tools.jackson.databind.JsonNode;

import dev.mesh.contracts.MeshJson;
import dev.mesh.contracts.wire.ErrorCode;
import dev.mesh.contracts.wire.MeshException;
import dev.mesh.runtime.command.CommandContext;
import dev.mesh.runtime.command.CommandHandler;
import dev.mesh.runtime.store.StreamLog;
import dev.mesh.runtime.store.StreamSeq;
import reactor.core.publisher.Mono;

/**
 * The smallest mesh service: {@code mesh.service=rt}, no domain of its own, one handler.
 * Everything else (listener, idempotency, outbox, relay, security) is the runtime's.
 */
@SpringBootApplication
public class RuntimeTestApplication {

    /** Read as the config file name, so no stray {@code application.yml} on the classpath is read. */
    public static final String CONFIG_NAME = "mesh-runtime-it";

    @Bean
    AddHandler addHandler(StreamSeq streamSeq) {
        return new AddHandler(streamSeq);
    }

    @Bean
    PingHandler pingHandler() {
        return new PingHandler();
    }

    @Bean
    ReplayHandler replayHandler(StreamLog streamLog) {
        return new ReplayHandler(streamLog);
    }

    /**
     * {@code test:replay {afterSeq}}: what a resume of the command's stream after {@code afterSeq}
     * reads from the stream event log, answered as {@code {seqs}} (as a join replays).
     */
    public static class ReplayHandler implements CommandHandler {

        public static final String TYPE = "test:replay";

        private final StreamLog streamLog;

        ReplayHandler(StreamLog streamLog) {
            this.streamLog = streamLog;
        }

        @Override
        public Set<String> types() {
            return Set.of(TYPE);
        }

        @Override
        public Mono<JsonNode> handle(CommandContext command) {
            long afterSeq = command.envelope().data().get("afterSeq").asLong();
            return streamLog.replay(AddHandler.topicOf(command.key()), afterSeq, 1_000, 1_000_000)
                    .map(replay -> MeshJson.tree(Map.of("seqs", replay.events().stream().map(StreamLog.Event::seq).toList())));
        }
    }

    /**
     * {@code test:ping {n, fail?}}: an ephemeral command; publishes {@code test:pinged} without a seq
     * on {@code test:stream:<key>}, or throws {@code fail} after writing it (so a rollback is visible).
     */
    public static class PingHandler implements CommandHandler {

        public static final String TYPE = "test:ping";
        public static final String EVENT = "test:pinged";

        @Override
        public Set<String> types() {
            return Set.of(TYPE);
        }

        @Override
        public boolean ephemeral() {
            return true;
        }

        @Override
        public Mono<JsonNode> handle(CommandContext command) {
            JsonNode data = command.envelope().data();
            return command.publish(AddHandler.topicOf(command.key()), EVENT, null,
                            Map.of("n", data.get("n").asInt(), "clientRef", command.commandId()))
                    .then(Mono.defer(() -> data.has("fail")
                            ? Mono.error(new MeshException(ErrorCode.valueOf(data.get("fail").asString()), "Rejected on request"))
                            : Mono.empty()));
        }
    }

    /**
     * {@code test:add {n, delayMs?, fail?, strict?}}: takes the next seq of the command's stream, publishes
     * {@code test:added} on {@code test:stream:<key>}, then fails with {@code fail} if asked (after
     * writing, so a rollback is visible) or answers {@code {seq, n}}.
     */
    public static class AddHandler implements CommandHandler {

        /** The shape {@code strict} data must have. */
        record Strict(int n) {
        }

        public static final String TYPE = "test:add";
        public static final String EVENT = "test:added";

        private final StreamSeq streamSeq;
        private final AtomicInteger applied = new AtomicInteger();

        AddHandler(StreamSeq streamSeq) {
            this.streamSeq = streamSeq;
        }

        public static String topicOf(String key) {
            return "test:stream:" + key;
        }

        /** How many times the handler ran (committed or not). */
        public int applied() {
            return applied.get();
        }

        @Override
        public Set<String> types() {
            return Set.of(TYPE);
        }

        @Override
        public Mono<JsonNode> handle(CommandContext command) {
            JsonNode data = command.envelope().data();
            if (data.has("strict")) {
                // As real handlers do: read the data as a record, which throws VALIDATION before any Mono exists.
                command.data(Strict.class);
            }
            int n = data.get("n").asInt();
            long delayMs = data.has("delayMs") ? data.get("delayMs").asLong() : 0;
            // The delay comes before the seq is taken: a listener that ran a partition's records
            // concurrently would let a later command take the seq first.
            Mono<Void> before = delayMs > 0 ? Mono.delay(Duration.ofMillis(delayMs)).then() : Mono.empty();
            return before
                    .doOnSuccess(v -> applied.incrementAndGet())
                    .then(streamSeq.next(command.key()))
                    .flatMap(seq -> command.publish(topicOf(command.key()), EVENT, seq,
                                    Map.of("n", n, "clientRef", command.commandId()))
                            .then(Mono.defer(() -> data.has("fail")
                                    ? Mono.error(new MeshException(ErrorCode.valueOf(data.get("fail").asString()),
                                    "Rejected on request"))
                                    : Mono.just(MeshJson.tree(Map.of("seq", seq, "n", n))))));
        }
    }
}
