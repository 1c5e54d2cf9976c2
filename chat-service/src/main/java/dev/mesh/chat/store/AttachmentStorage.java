package dev.mesh.chat.store;

import java.util.UUID;

import reactor.core.publisher.Mono;

/** Where attachment bytes live: the chat database by default; an object store would implement this too. */
public interface AttachmentStorage {

    /** Stores the bytes; called inside the upload's transaction. */
    Mono<Void> put(UUID id, byte[] data);

    /** The bytes; empty when there are none. */
    Mono<byte[]> get(UUID id);
}
