package dev.mesh.runtime.command;

import java.util.List;

import tools.jackson.databind.JsonNode;

import dev.mesh.contracts.wire.MeshException;
import reactor.core.publisher.Mono;

/**
 * A handler that applies many commands read together at once: a quiz burst is thousands of
 * answers in one partition, and a round trip or two for each is what keeps the last ones
 * waiting. {@link CommandProcessor} gives it the consecutive commands of a batch that are its own
 * (retries of stored commands already answered), inside the batch's transaction; each command
 * still gets its own answer, and a refusal is that command's outcome, not an error of the batch.
 */
public interface BatchCommandHandler extends CommandHandler {

    /**
     * Applies the commands, in their order, in the caller's transaction, and returns one outcome
     * per command in the same order. A refused command must have written nothing; an error (the
     * database failed) rolls the whole batch back, and its commands are applied again alone.
     */
    Mono<List<Outcome>> handleAll(List<CommandContext> commands);

    /** What became of one command: its result (the {@code ack}'s data), or the refusal it is answered with. */
    record Outcome(JsonNode result, MeshException refusal) {

        public static Outcome applied(JsonNode result) {
            return new Outcome(result, null);
        }

        public static Outcome refused(MeshException refusal) {
            return new Outcome(null, refusal);
        }
    }

    /** One command alone: a batch of one, its refusal an error as for any handler. */
    @Override
    default Mono<JsonNode> handle(CommandContext command) {
        return handleAll(List.of(command)).map(outcomes -> {
            Outcome outcome = outcomes.getFirst();
            if (outcome.refusal() != null) {
                throw outcome.refusal();
            }
            return outcome.result();
        });
    }
}
