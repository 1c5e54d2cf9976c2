package dev.mesh.runtime.command;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
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
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.context.Context;

/**
 * Applies one command: idempotency check, the handler, the stored result and the reply, all
 * in one transaction, so an {@code ack} exists only for a committed change. Rejections and
 * failures are answered with an {@code error} sent straight to Kafka (nothing is stored for
 * them, and the database may be the thing that failed). Ephemeral commands
 * ({@link CommandHandler#ephemeral()}) are applied without idempotency record and get no reply.
 *
 * <p>{@link #processAll} applies the commands of one partition's poll together: up to
 * {@code mesh.commands.batch-size} of them, in order, in one transaction whose outbox rows and
 * stream-log events and idempotency records are written by one statement each before the commit (one BEGIN/COMMIT and
 * a few round trips instead of a dozen per command). Every command still gets its own answer: if
 * one fails, the batch rolls back and is applied again around it — the commands before it as a
 * batch, the failing one alone (so its error is answered exactly as {@link #process} would), the
 * rest as a batch; a failure of the whole (commit, timeout) applies each command alone. Commands
 * answered without the database (unknown type, waited longer than {@code mesh.commands.max-age})
 * are answered together first; ephemeral commands split a batch and are applied alone.
 * Consecutive commands of a {@link BatchCommandHandler} are applied by one call to it, each
 * still answered on its own (its refusal sent once the others are committed).
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

    /** A command as read from its topic: the envelope, its Kafka key, the trace it continues (or null). */
    public record Incoming(CommandEnvelope command, String key, String traceparent) {

        Context trace(Context context) {
            return traceparent == null ? context : context.put(MeshTracing.CONTEXT_KEY, traceparent);
        }
    }

    /**
     * Applies commands read together from one partition, in their order, batched into
     * transactions; completes when every reply is on its way. Never errors.
     */
    public Mono<Void> processAll(List<Incoming> commands) {
        List<List<Incoming>> batches = new ArrayList<>();
        List<Incoming> batch = new ArrayList<>();
        for (Incoming incoming : commands) {
            batch.add(incoming);
            if (batch.size() == settings.batchSize()) {
                batches.add(batch);
                batch = new ArrayList<>();
            }
        }
        if (!batch.isEmpty()) {
            batches.add(batch);
        }
        return Flux.fromIterable(batches).concatMap(this::applyBatch).then();
    }

    private Mono<Void> alone(Incoming incoming) {
        return process(incoming.command(), incoming.key()).contextWrite(incoming::trace);
    }

    private Mono<Void> applyBatch(List<Incoming> batch) {
        if (batch.isEmpty()) {
            return Mono.empty();
        }
        // A batch of one too: its writes still go out in two statements instead of one per row.
        long now = clock.millis();
        List<Incoming> unapplied = new ArrayList<>();
        List<Incoming> applied = new ArrayList<>(batch.size());
        for (Incoming incoming : batch) {
            CommandHandler handler = handlers.get(incoming.command().type());
            boolean ephemeral = handler != null && handler.ephemeral();
            if (!ephemeral && (handler == null || now - incoming.command().receivedAt() > settings.maxAge().toMillis())) {
                unapplied.add(incoming);
            } else {
                applied.add(incoming);
            }
        }
        if (!unapplied.isEmpty()) {
            // Answered without the database (unknown type, waited too long): all at once, not one Kafka
            // round trip after the other — under a backlog nearly every command is one of these, and
            // answering them in turn would keep the partition behind for good (congestion collapse).
            return Flux.fromIterable(unapplied).flatMap(this::alone).then(Mono.defer(() -> applyBatch(applied)));
        }
        for (int at = 0; at < batch.size(); at++) {
            if (handlers.get(batch.get(at).command().type()).ephemeral()) {
                // Ephemeral: applied alone, as its handler may keep state in memory (a throttle) that a
                // batch's retry would apply twice.
                int ephemeralAt = at;
                return applyBatch(batch.subList(0, at))
                        .then(alone(batch.get(at)))
                        .then(Mono.defer(() -> applyBatch(batch.subList(ephemeralAt + 1, batch.size()))));
            }
        }
        Outbox.Pending rows = new Outbox.Pending();
        StreamLog.Pending logged = new StreamLog.Pending();
        IdempotencyStore.Pending saves = new IdempotencyStore.Pending();
        int[] failedAt = {-1};
        List<Refusal> refused = new ArrayList<>();
        List<Map.Entry<String, String>> ids = batch.stream()
                .map(incoming -> Map.entry(incoming.command().user().id(), incoming.command().commandId()))
                .toList();
        Mono<Void> apply = idempotency.prefetch(saves, ids).thenMany(Flux.fromIterable(runs(batch)))
                .concatMap(run -> {
                    Incoming first = batch.get(run[0]);
                    CommandHandler handler = handlers.get(first.command().type());
                    Mono<Void> done = handler instanceof BatchCommandHandler together
                            ? applyTogether(together, batch.subList(run[0], run[1]), refused)
                            : applyOne(handler, first.command(), first.key()).contextWrite(first::trace);
                    return done.doOnError(e -> failedAt[0] = run[0]);
                })
                .then(Mono.defer(() -> streamLog.flush(logged)))
                .then(Mono.defer(() -> outbox.flush(rows)))
                .then(Mono.defer(() -> idempotency.flush(saves)))
                .contextWrite(context -> context.put(Outbox.Pending.class, rows).put(StreamLog.Pending.class, logged)
                        .put(IdempotencyStore.Pending.class, saves));
        return transactions.transactional(apply.timeout(settings.applyTimeout()))
                .then(Mono.defer(() -> {
                    batch.stream().filter(incoming -> refused.stream().noneMatch(r -> r.incoming() == incoming))
                            .forEach(incoming -> count(incoming.command(), "ok"));
                    // Refusals wrote nothing: answered once the others' changes are committed, all at once
                    // (a burst past the deadline is thousands of "time is up").
                    return Flux.fromIterable(refused)
                            .flatMap(r -> fail(r.incoming().command(), r.incoming().key(), r.refusal())
                                    .contextWrite(r.incoming()::trace))
                            .then();
                }))
                .onErrorResume(error -> {
                    int at = failedAt[0];
                    if (at < 0) {
                        log.debug("A batch of {} commands failed as a whole ({}); applying each alone", batch.size(), error.toString());
                        return Flux.fromIterable(batch).concatMap(this::alone).then();
                    }
                    return applyBatch(batch.subList(0, at))
                            .then(alone(batch.get(at)))
                            .then(Mono.defer(() -> applyBatch(batch.subList(at + 1, batch.size()))));
                });
    }

    private record Refusal(Incoming incoming, MeshException refusal) {
    }

    /**
     * The batch cut into runs {@code [from, to)}: consecutive commands of one
     * {@link BatchCommandHandler} go together, any other command is a run of its own.
     */
    private List<int[]> runs(List<Incoming> batch) {
        List<int[]> runs = new ArrayList<>();
        int from = 0;
        while (from < batch.size()) {
            CommandHandler handler = handlers.get(batch.get(from).command().type());
            int to = from + 1;
            if (handler instanceof BatchCommandHandler) {
                while (to < batch.size() && handlers.get(batch.get(to).command().type()) == handler) {
                    to++;
                }
            }
            runs.add(new int[] {from, to});
            from = to;
        }
        return runs;
    }

    /**
     * Consecutive commands of one batch handler, applied by one call: retries of commands already
     * stored get their stored result, a command repeated within the run gets the outcome of its
     * first copy, the others go to the handler together. Refusals are collected for the caller to
     * answer after the commit; results are stored and replied like {@link #applyFirst}'s.
     */
    private Mono<Void> applyTogether(BatchCommandHandler handler, List<Incoming> run, List<Refusal> refused) {
        List<Incoming> fresh = new ArrayList<>();
        Map<String, Integer> freshAt = new HashMap<>();
        List<Incoming> repeats = new ArrayList<>();
        Mono<Void> sorted = Flux.fromIterable(run).concatMap(incoming -> {
            CommandEnvelope command = incoming.command();
            String id = command.user().id() + '\n' + command.commandId();
            if (freshAt.containsKey(id)) {
                repeats.add(incoming);
                return Mono.empty();
            }
            return idempotency.find(command.user().id(), command.commandId())
                    .flatMap(done -> replayOrRefuse(incoming, done, refused).thenReturn(true))
                    .switchIfEmpty(Mono.fromSupplier(() -> {
                        freshAt.put(id, fresh.size());
                        fresh.add(incoming);
                        return false;
                    }))
                    .then();
        }).then();
        return sorted.then(Mono.defer(() -> fresh.isEmpty() ? Mono.just(List.<BatchCommandHandler.Outcome>of())
                        : handler.handleAll(fresh.stream()
                                .map(incoming -> new CommandContext(incoming.command(), incoming.key(), outbox, streamLog,
                                        incoming.traceparent()))
                                .toList())))
                .flatMap(outcomes -> {
                    if (outcomes.size() != fresh.size()) {
                        return Mono.error(new IllegalStateException(handler.getClass().getSimpleName() + " answered "
                                + outcomes.size() + " of " + fresh.size() + " commands"));
                    }
                    meters.summary("mesh.commands.together", "type", fresh.getFirst().command().type())
                            .record(fresh.size());
                    Mono<Void> firsts = Flux.range(0, fresh.size()).concatMap(i -> {
                        Incoming incoming = fresh.get(i);
                        CommandEnvelope command = incoming.command();
                        BatchCommandHandler.Outcome outcome = outcomes.get(i);
                        if (outcome.refusal() != null) {
                            refused.add(new Refusal(incoming, outcome.refusal()));
                            return Mono.empty();
                        }
                        JsonNode result = outcome.result() == null ? MeshJson.object() : outcome.result();
                        return storeAndReply(command, incoming.key(), payloadHash(command), result)
                                .contextWrite(incoming::trace);
                    }).then();
                    Mono<Void> copies = Flux.fromIterable(repeats).concatMap(incoming -> {
                        CommandEnvelope command = incoming.command();
                        int firstAt = freshAt.get(command.user().id() + '\n' + command.commandId());
                        BatchCommandHandler.Outcome outcome = outcomes.get(firstAt);
                        if (outcome.refusal() != null) {
                            refused.add(new Refusal(incoming, outcome.refusal()));
                            return Mono.empty();
                        }
                        // A copy is a retry of its first: answered as a retry of a stored command is.
                        JsonNode result = outcome.result() == null ? MeshJson.object() : outcome.result();
                        IdempotencyStore.Processed first = new IdempotencyStore.Processed(
                                payloadHash(fresh.get(firstAt).command()), MeshJson.write(result));
                        return replayOrRefuse(incoming, first, refused);
                    }).then();
                    return firsts.then(copies);
                });
    }

    /**
     * One (not ephemeral) command inside the caller's transaction: its stored result replayed, or
     * the handler applied and its result stored; an error rolls the transaction back.
     */
    private Mono<Void> applyOne(CommandHandler handler, CommandEnvelope command, String key) {
        String hash = payloadHash(command);
        return idempotency.find(command.user().id(), command.commandId())
                .flatMap(done -> replay(command, key, hash, done).thenReturn(true))
                .switchIfEmpty(Mono.defer(() -> applyFirst(handler, command, key, hash).thenReturn(true)))
                .then();
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
        Mono<Void> apply = applyOne(handler, command, key);
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
                .flatMap(result -> storeAndReply(command, key, hash, result));
    }

    /** The command's result stored for retries, and its reply on the way, in the command's transaction. */
    private Mono<Void> storeAndReply(CommandEnvelope command, String key, String hash, JsonNode result) {
        return idempotency.save(command.user().id(), command.commandId(), command.type(), hash, MeshJson.write(result))
                .then(outbox.deliver(key, reply(command, result)));
    }

    /** {@link #replay} inside a run: a payload that differs is that command's refusal, not the batch's error. */
    private Mono<Void> replayOrRefuse(Incoming incoming, IdempotencyStore.Processed done, List<Refusal> refused) {
        return replay(incoming.command(), incoming.key(), payloadHash(incoming.command()), done)
                .onErrorResume(MeshException.class, refusal -> {
                    refused.add(new Refusal(incoming, refusal));
                    return Mono.empty();
                })
                .contextWrite(incoming::trace);
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
