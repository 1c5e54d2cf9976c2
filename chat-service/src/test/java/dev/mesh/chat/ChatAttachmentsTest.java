package dev.mesh.chat;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.client.MultipartBodyBuilder;
import org.springframework.web.reactive.function.BodyInserters;

import tools.jackson.databind.JsonNode;

import dev.mesh.contracts.MeshJson;
import dev.mesh.contracts.kafka.Delivery;
import dev.mesh.contracts.kafka.UserRef;

/** Attachments: upload rules, a message carrying its file, downloads for members only, deletion. */
class ChatAttachmentsTest extends ChatServiceTestSupport {

    private static final byte[] PNG = pngOf(2048);

    @Test
    void aMemberUploadsAFileAMessageCarriesItAndOnlyMembersDownloadItUntilTheMessageIsDeleted() {
        String roomId = createRoom(ADA, "Lab", "public").get("id").asString();
        awaitReply(send(ALAN, "s-alan", roomId, "chat:join", Map.of("roomId", roomId)), "s-alan");

        Upload upload = upload(ALAN, roomId, "C:\\tmp\\diagram.png", MediaType.IMAGE_PNG, PNG);
        assertThat(upload.status()).isEqualTo(201);
        String fileId = upload.body().get("id").asString();
        assertThat(upload.body().get("name").asString()).isEqualTo("diagram.png");
        assertThat(upload.body().get("contentType").asString()).isEqualTo("image/png");
        assertThat(upload.body().get("size").asLong()).isEqualTo(PNG.length);

        Delivery.Reply ack = awaitReply(send(ALAN, "s-alan", roomId, "chat:message",
                Map.of("roomId", roomId, "attachmentId", fileId)), "s-alan");
        assertThat(ack.ok()).as(ack.message()).isTrue();
        JsonNode message = awaitDelivery(d -> d.event() != null && "chat:message".equals(d.event().type())
                && ack.data().get("messageId").asString().equals(d.event().data().get("messageId").asString()))
                .event().data();
        assertThat(message.get("type").asString()).isEqualTo("file");
        assertThat(message.get("content").asString()).isEqualTo("diagram.png");
        assertThat(message.get("attachment").get("id").asString()).isEqualTo(fileId);
        assertThat(message.get("attachment").get("contentType").asString()).isEqualTo("image/png");

        byte[] downloaded = http.get().uri("/api/chat/attachments/{id}", fileId)
                .header(HttpHeaders.AUTHORIZATION, bearer(ALAN))
                .exchange()
                .expectStatus().isOk()
                .expectHeader().contentType(MediaType.IMAGE_PNG)
                .expectHeader().valueEquals("X-Content-Type-Options", "nosniff")
                .expectHeader().value(HttpHeaders.CONTENT_DISPOSITION, v -> assertThat(v).startsWith("attachment;"))
                .expectBody().returnResult().getResponseBody();
        assertThat(downloaded).isEqualTo(PNG);
        http.get().uri("/api/chat/attachments/{id}", fileId).header(HttpHeaders.AUTHORIZATION, bearer(BARBARA))
                .exchange().expectStatus().isForbidden();
        JsonNode history = MeshJson.read(new String(http.get().uri("/api/chat/rooms/{id}/messages", roomId)
                .header(HttpHeaders.AUTHORIZATION, bearer(ALAN)).exchange().expectStatus().isOk()
                .expectBody().returnResult().getResponseBody(), StandardCharsets.UTF_8), JsonNode.class);
        assertThat(history.get("items").get(0).get("attachment").get("name").asString()).isEqualTo("diagram.png");

        // One file, one message: not again, and not by someone else.
        assertThat(awaitReply(send(ALAN, "s-alan", roomId, "chat:message",
                Map.of("roomId", roomId, "content", "again", "attachmentId", fileId)), "s-alan").message())
                .isEqualTo("This file is attached to another message already");
        awaitReply(send(ADA, "s-ada", roomId, "chat:join", Map.of("roomId", roomId)), "s-ada");
        assertThat(awaitReply(send(ADA, "s-ada", roomId, "chat:message",
                Map.of("roomId", roomId, "content", "mine", "attachmentId", fileId)), "s-ada").message())
                .isEqualTo("attachmentId is not a file you uploaded to this room");

        awaitReply(send(ALAN, "s-alan", roomId, "chat:delete",
                Map.of("roomId", roomId, "messageId", ack.data().get("messageId").asString())), "s-alan");
        http.get().uri("/api/chat/attachments/{id}", fileId).header(HttpHeaders.AUTHORIZATION, bearer(ALAN))
                .exchange().expectStatus().isNotFound();
    }

    @Test
    void uploadsAreRefusedToStrangersInRoomsWithoutFilesOffTheListMislabelledOrTooBig() {
        String roomId = createRoom(ADA, "Uploads", "public").get("id").asString();
        awaitReply(send(ALAN, "s-alan", roomId, "chat:join", Map.of("roomId", roomId)), "s-alan");

        assertThat(upload(BARBARA, roomId, "a.png", MediaType.IMAGE_PNG, PNG).status()).isEqualTo(403);
        Upload exe = upload(ALAN, roomId, "setup.exe", MediaType.parseMediaType("application/x-msdownload"), PNG);
        assertThat(exe.status()).isEqualTo(400);
        assertThat(exe.body().get("detail").asString()).startsWith("Files of type 'application/x-msdownload' are not accepted");
        Upload lie = upload(ALAN, roomId, "notes.pdf", MediaType.APPLICATION_PDF, "plain words".getBytes(StandardCharsets.UTF_8));
        assertThat(lie.body().get("detail").asString()).isEqualTo("The file's content is not application/pdf");
        byte[] big = new byte[10 * 1024 * 1024 + 1];
        Arrays.fill(big, (byte) 'a');
        Upload tooBig = upload(ALAN, roomId, "big.txt", MediaType.TEXT_PLAIN, big);
        assertThat(tooBig.status()).isEqualTo(400);
        assertThat(tooBig.body().get("detail").asString()).isEqualTo("A file can be at most 10 MB");

        http.patch().uri("/api/chat/rooms/{id}", roomId).header(HttpHeaders.AUTHORIZATION, bearer(ADA))
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("allowFiles", false))
                .exchange().expectStatus().isOk();
        Upload closed = upload(ALAN, roomId, "a.png", MediaType.IMAGE_PNG, PNG);
        assertThat(closed.status()).isEqualTo(403);
        assertThat(closed.body().get("detail").asString()).isEqualTo("This room does not allow files");
    }

    // --- helpers

    private record Upload(int status, JsonNode body) {
    }

    private Upload upload(UserRef user, String roomId, String filename, MediaType type, byte[] data) {
        MultipartBodyBuilder form = new MultipartBodyBuilder();
        form.part("file", new ByteArrayResource(data) {
            @Override
            public String getFilename() {
                return filename;
            }
        }).contentType(type);
        var result = http.post().uri("/api/chat/rooms/{id}/attachments", roomId)
                .header(HttpHeaders.AUTHORIZATION, bearer(user))
                .body(BodyInserters.fromMultipartData(form.build()))
                .exchange()
                .expectBody().returnResult();
        byte[] body = result.getResponseBody();
        return new Upload(result.getStatus().value(),
                MeshJson.read(new String(body, StandardCharsets.UTF_8), JsonNode.class));
    }

    private static byte[] pngOf(int size) {
        byte[] png = new byte[size];
        byte[] signature = {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
        System.arraycopy(signature, 0, png, 0, signature.length);
        for (int i = signature.length; i < size; i++) {
            png[i] = (byte) (i * 31);
        }
        return png;
    }
}
