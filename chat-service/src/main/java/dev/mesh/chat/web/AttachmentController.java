package dev.mesh.chat.web;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.UUID;

import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.codec.multipart.FilePart;
import org.springframework.http.codec.multipart.Part;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.transaction.reactive.TransactionalOperator;
import org.springframework.util.MultiValueMap;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import dev.mesh.chat.config.ChatProperties;
import dev.mesh.chat.domain.Attachments;
import dev.mesh.chat.domain.RoomAccess;
import dev.mesh.chat.domain.RoomType;
import dev.mesh.chat.domain.UuidV7;
import dev.mesh.chat.store.AttachmentStorage;
import dev.mesh.chat.store.AttachmentStore;
import dev.mesh.chat.store.RoomStore;
import dev.mesh.contracts.chat.ChatEvents;
import dev.mesh.contracts.kafka.UserRef;
import dev.mesh.contracts.wire.MeshException;
import dev.mesh.runtime.security.MeshUsers;
import reactor.core.publisher.Mono;

/**
 * Attachments: {@code POST /api/chat/rooms/{id}/attachments} (multipart, part {@code file}) by a
 * member of a room that allows files, then {@code chat:message {attachmentId}} carries it; the
 * bytes are served at {@code GET /api/chat/attachments/{id}} to members of its room only, as a
 * download that the browser may not sniff or run.
 */
@RestController
public class AttachmentController {

    private final RoomStore rooms;
    private final AttachmentStore attachments;
    private final AttachmentStorage storage;
    private final TransactionalOperator meshTransactions;
    private final MeshUsers users;
    private final ChatProperties settings;
    private final Clock clock;

    public AttachmentController(RoomStore rooms, AttachmentStore attachments, AttachmentStorage storage,
                                TransactionalOperator meshTransactions, MeshUsers users, ChatProperties settings,
                                Clock clock) {
        this.rooms = rooms;
        this.attachments = attachments;
        this.storage = storage;
        this.meshTransactions = meshTransactions;
        this.users = users;
        this.settings = settings;
        this.clock = clock;
    }

    @PostMapping(path = "/api/chat/rooms/{id}/attachments", consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
    public Mono<ResponseEntity<ChatEvents.Attachment>> upload(@AuthenticationPrincipal Jwt jwt, @PathVariable String id,
                                                             @RequestBody Mono<MultiValueMap<String, Part>> form) {
        UserRef user = users.userOf(jwt);
        long max = settings.maxAttachmentSize().toBytes();
        return rooms.find(id)
                .switchIfEmpty(Mono.error(RoomAccess::noSuchRoom))
                .flatMap(room -> rooms.isMember(id, user.id())
                        .doOnNext(member -> Attachments.mayUpload(member, room.allowFiles())))
                .then(form)
                .flatMap(parts -> parts.getFirst("file") instanceof FilePart file ? Mono.just(file)
                        : Mono.error(MeshException.validation("Send the file as the multipart part 'file'")))
                .flatMap(file -> DataBufferUtils.join(file.content(), (int) Math.min(Integer.MAX_VALUE - 8, max + 1))
                        .onErrorMap(DataBufferLimitException.class,
                                e -> MeshException.validation("A file can be at most " + max / (1024 * 1024) + " MB"))
                        .map(buffer -> {
                            byte[] data = new byte[buffer.readableByteCount()];
                            buffer.read(data);
                            DataBufferUtils.release(buffer);
                            return data;
                        })
                        .defaultIfEmpty(new byte[0])
                        .flatMap(data -> store(user, id, file, data, max)))
                .map(stored -> ResponseEntity.created(URI.create("/api/chat/attachments/" + stored.id())).body(stored));
    }

    private Mono<ChatEvents.Attachment> store(UserRef user, String roomId, FilePart file, byte[] data, long max) {
        MediaType declared = file.headers().getContentType();
        String type = Attachments.contentType(declared == null ? null : declared.toString(), data, max,
                settings.attachmentTypes());
        Instant now = Instant.ofEpochMilli(clock.millis());
        AttachmentStore.StoredAttachment attachment = new AttachmentStore.StoredAttachment(UuidV7.at(now.toEpochMilli()),
                roomId, user.id(), Attachments.name(file.filename()), type, data.length, sha256(data));
        return meshTransactions.transactional(attachments.insert(attachment, now).then(storage.put(attachment.id(), data)))
                .thenReturn(attachment.view());
    }

    @GetMapping("/api/chat/attachments/{id}")
    public Mono<ResponseEntity<byte[]>> download(@AuthenticationPrincipal Jwt jwt, @PathVariable String id) {
        UserRef user = users.userOf(jwt);
        UUID attachmentId = parse(id);
        return attachments.find(attachmentId)
                .switchIfEmpty(Mono.error(() -> MeshException.notFound("There is no such file")))
                .flatMap(attachment -> rooms.find(attachment.roomId())
                        // Members only, even in a public room (admins too, except in direct conversations).
                        .flatMap(room -> rooms.isMember(room.id(), user.id())
                                .filter(member -> member || (user.isAdmin() && room.type() != RoomType.DIRECT)))
                        .switchIfEmpty(Mono.error(() -> MeshException.forbidden("Files are for the room's members only")))
                        .then(storage.get(attachmentId))
                        .map(data -> ResponseEntity.ok()
                                .contentType(MediaType.parseMediaType(attachment.contentType()))
                                .contentLength(data.length)
                                .header(HttpHeaders.CONTENT_DISPOSITION, ContentDisposition.attachment()
                                        .filename(attachment.name(), StandardCharsets.UTF_8).build().toString())
                                .header("X-Content-Type-Options", "nosniff")
                                .header("Content-Security-Policy", "sandbox; default-src 'none'")
                                .header(HttpHeaders.CACHE_CONTROL, "private, max-age=31536000, immutable")
                                .header(HttpHeaders.ETAG, "\"" + attachment.sha256() + "\"")
                                .body(data)));
    }

    private static UUID parse(String id) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw MeshException.notFound("There is no such file");
        }
    }

    private static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JVM", e);
        }
    }
}
