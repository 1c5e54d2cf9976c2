package dev.mesh.runtime.command;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.kafka.support.SendResult;
import org.springframework.transaction.reactive.TransactionalOperator;

import tools.jackson.databind.JsonNode;

import dev.mesh.contracts.MeshJson;
import dev.mesh.contracts.kafka.CommandEnvelope;
import dev.mesh.contracts.kafka.Delivery;
import dev.mesh.contracts.wire.ErrorCode;
import dev.mesh.contracts.wire.MeshException;
import dev.mesh.runtime.MeshProperties;
import dev.mesh.runtime.kafka.KafkaPublisher;
import dev.mesh.runtime.store.IdempotencyStore;
import dev.mesh.runtime.store.Outbox;
import dev.mesh.runtime.store.StreamLog;
import dev.mesh.runtime.tracing.MeshTracing;
import io.micrometer.core.instrument.MeterRegistry;
import reactor.core.publisher.Mono;

/**
 * Applies one command: idempotency check, the handler, the stored result and the reply, all
 * in one transaction, so an {@code ack} exists only for a committed change. Rejections and
 * failures are answered with an {@code error} sent straight to Kafka (nothing is stored for
 * them, and the database may be the thing that failed). Ephemeral commands
 * ({@link CommandHandler#ephemeral()}) are applied without idempotency record and get no reply.
 */
public class CommandProcessor {

    private static final Logger log = LoggerFactory.getLogger(CommandProcessor.class);

    private final Map<String, CommandHandler> handlers = new HashMap<>();
    private final IdempotencyStore idempotency;
    private final Outbox outbox;
    private final StreamLog streamLog;
    private final TransactionalOperator transactions;
    private final KafkaPublisher publisher;
    private final MeshProperties.Commands settings;
    private final MeterRegistry meters;
    private final Clock clock;

    public CommandProcessor(List<CommandHandler> handlers, IdempotencyStore idempotency, Outbox outbox,
                            StreamLog streamLog, TransactionalOperator transactions, KafkaPublisher publisher,
                            MeshProperties.Commands settings, MeterRegistry meters, Clock clock) {
        for (CommandHandler handler : handlers) {
            for (String type : handler.types()) {
                if (this.handlers.put(type, handler) != null) {
                    throw new IllegalStateException("two handlers for " + type);
                }
            }
        }
        this.idempotency = idempotency;
        this.outbox = outbox;
        this.streamLog = streamLog;
        this.transactions = transactions;
        this.publisher = publisher;
        this.settings = settings;
        this.meters = meters;
        this.clock = clock;
    }

    /** Applies the command and sends its reply; completes when the reply is on its way. Never errors. */
    public Mono<Void> process(CommandEnvelope command, String key) {
        long age = clock.millis() - command.receivedAt();
        CommandHandler ephemeral = handlers.get(command.type());
        if (ephemeral != null && ephemeral.ephemeral()) {
            return processEphemeral(ephemeral, command, key, age);
        }
        if (age > settings.maxAge().toMillis()) {
            return fail(command, key, new MeshException(ErrorCode.UNAVAILABLE, "The command waited too long; retry it"));
        }
        CommandHandler handler = handlers.get(command.type());
        if (handler == null) {
            return fail(command, key, MeshException.validation(command.type() + " is not available yet"));
        }
        String hash = payloadHash(command);
        Mono<Void> apply = idempotency.find(command.user().id(), command.commandId())
                .flatMap(done -> replay(command, key, hash, done).thenReturn(true))
                .switchIfEmpty(Mono.defer(() -> applyFirst(handler, command, key, hash).thenReturn(true)))
                .then();
        // The deadline applies before the commit, inside the transaction: a command that runs out
        // of time rolls back, so it never commits after its UNAVAILABLE was sent (two replies).
        return transactions.transactional(apply.timeout(settings.applyTimeout()))
                .doOnSuccess(v -> count(command, "ok"))
                .onErrorResume(error -> Mono.deferContextual(subscriber -> MeshTracing.withLogContext(subscriber,
                        () -> fail(command, key, asMeshException(command, error)))));
    }

    /** An ephemeral command: applied in its transaction, no idempotency record, no reply of any kind. */
    private Mono<Void> processEphemeral(CommandHandler handler, CommandEnvelope command, String key, long age) {
        if (age > settings.maxAge().toMillis()) {
            count(command, "expired");
            return Mono.empty();
        }
        CommandContext context = new CommandContext(command, key, outbox, streamLog);
        Mono<Void> apply = Mono.defer(() -> handler.handle(context)).then();
        return transactions.transactional(apply.timeout(settings.applyTimeout()))
                .doOnSuccess(v -> count(command, "ok"))
                .onErrorResume(error -> Mono.deferContextual(subscriber -> MeshTracing.withLogContext(subscriber, () -> {
                    if (error instanceof MeshException mesh) {
                        count(command, mesh.code().name());
                        log.debug("Ephemeral {} {} rejected: {}", command.type(), command.commandId(), mesh.getMessage());
                    } else {
                        count(command, "failed");
                        log.warn("Ephemeral {} {} failed: {}", command.type(), command.commandId(), error.toString());
                    }
                    return Mono.<Void>empty();
                })));
    }

    private Mono<Void> applyFirst(CommandHandler handler, CommandEnvelope command, String key, String hash) {
        CommandContext context = new CommandContext(command, key, outbox, streamLog);
        return handler.handle(context)
                .defaultIfEmpty(MeshJson.object())
                .flatMap(result -> idempotency
                        .save(command.user().id(), command.commandId(), command.type(), hash, MeshJson.write(result))
                        .then(outbox.deliver(key, reply(command, result))));
    }

    /** A retry: the same payload gets the first result, at the sender's current address. */
    private Mono<Void> replay(CommandEnvelope command, String key, String hash, IdempotencyStore.Processed done) {
        if (!done.payloadHash().equals(hash)) {
            return Mono.error(MeshException.conflict("This command id was already used for a different command"));
        }
        count(command, "replayed");
        return outbox.deliver(key, reply(command, MeshJson.read(done.result(), JsonNode.class)));
    }

    private Mono<Void> fail(CommandEnvelope command, String key, MeshException error) {
        count(command, error.code().name());
        log.debug("{} {} rejected: {}", command.type(), command.commandId(), error.code());
        Delivery.Reply reply = new Delivery.Reply(command.replyTo().instanceId(), command.replyTo().sessionId(),
                command.commandId(), false, error.code().name(), error.getMessage(), error.data());
        return publisher.deliver(key, Delivery.reply(reply))
                .onErrorResume(e -> Mono.deferContextual(subscriber -> MeshTracing.withLogContext(subscriber, () -> {
                    log.warn("Could not send the error reply of {} {}: {}", command.type(), command.commandId(), e.toString());
                    return Mono.<SendResult<String, String>>empty();
                })))
                .then();
    }

    private MeshException asMeshException(CommandEnvelope command, Throwable error) {
        if (error instanceof MeshException mesh) {
            return mesh;
        }
        if (error instanceof TimeoutException) {
            log.warn("{} {} not applied within {}", command.type(), command.commandId(), settings.applyTimeout());
            return new MeshException(ErrorCode.UNAVAILABLE, "The service is busy; retry with the same id");
        }
        if (error instanceof DataIntegrityViolationException) {
            return MeshException.conflict("The command conflicts with a concurrent change; retry it");
        }
        log.error("{} {} failed", command.type(), command.commandId(), error);
        return new MeshException(ErrorCode.UNAVAILABLE, "The service could not apply the command; retry with the same id");
    }

    private static Delivery reply(CommandEnvelope command, JsonNode result) {
        return Delivery.reply(new Delivery.Reply(command.replyTo().instanceId(), command.replyTo().sessionId(),
                command.commandId(), true, null, null, result));
    }

    private void count(CommandEnvelope command, String outcome) {
        meters.counter("mesh.commands", "type", command.type(), "outcome", outcome).increment();
    }

    static String payloadHash(CommandEnvelope command) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(command.type().getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            sha.update(MeshJson.write(command.data()).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
