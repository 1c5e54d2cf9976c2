package dev.mesh.runtime.command;

import java.util.Set;

import tools.jackson.databind.JsonNode;

import reactor.core.publisher.Mono;

/**
 * Applies client commands of some types. Runs inside the command's database transaction:
 * everything it writes (state, outbox records through the context) commits together with
 * the reply, or not at all. Rejections are {@link dev.mesh.contracts.wire.MeshException}s.
 */
public interface CommandHandler {

    /** The command types this handler applies, e.g. {@code chat:message}. */
    Set<String> types();

    /** Applies the command; the result becomes the {@code ack}'s data (and is stored for retries). */
    Mono<JsonNode> handle(CommandContext command);

    /**
     * Whether this handler's commands are ephemeral (a typing indicator, say): applied in a
     * transaction like any other, but never recorded for idempotency (the gateway gives each one a
     * fresh id) and never answered, neither with an ack nor with an error; a rejection or failure is
     * only logged and counted, and one older than {@code mesh.commands.max-age} is dropped.
     */
    default boolean ephemeral() {
        return false;
    }
}
