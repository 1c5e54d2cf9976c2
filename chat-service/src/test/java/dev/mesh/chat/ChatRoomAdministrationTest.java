package dev.mesh.chat;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;

import tools.jackson.databind.JsonNode;

import dev.mesh.contracts.MeshJson;
import dev.mesh.contracts.kafka.Delivery;
import dev.mesh.contracts.kafka.UserRef;

/** Room administration over HTTP: invitations, settings, moderators, slow mode, capacity, deletion. */
class ChatRoomAdministrationTest extends ChatServiceTestSupport {

    private static final UserRef GRACE = new UserRef("u-grace", "Grace", List.of("admin"));

    @Test
    void anInvitationOpensAPrivateRoomToItsInviteeOnceAndIsUsedUpByTheJoin() {
        String roomId = createRoom(ADA, "Staff room", "private").get("id").asString();
        assertThat(awaitReply(send(ALAN, "s-alan", roomId, "chat:join", Map.of("roomId", roomId)), "s-alan").message())
                .isEqualTo("This room is open to invited members only");

        Response created = call(ADA, HttpMethod.POST, "/api/chat/rooms/" + roomId + "/invites", Map.of("userId", ALAN.id()));
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.body().get("roomName").asString()).isEqualTo("Staff room");
        assertThat(call(ADA, HttpMethod.POST, "/api/chat/rooms/" + roomId + "/invites", Map.of("userId", ALAN.id())).status())
                .isEqualTo(200);
        JsonNode invited = awaitChatEvent("MemberInvited", roomId);
        assertThat(invited.get("userId").asString()).isEqualTo(ALAN.id());
        assertThat(invited.get("invitedBy").asString()).isEqualTo(ADA.id());
        assertThat(chatEvents.stream().filter(e -> isChatEvent(e, "MemberInvited", roomId)).count()).isEqualTo(1);
        awaitDelivery(d -> d.event() != null && "chat:invited".equals(d.event().type())
                && Delivery.Audience.user(ALAN.id()).equals(d.audience())
                && roomId.equals(d.event().data().get("roomId").asString()));
        assertThat(call(ALAN, HttpMethod.GET, "/api/chat/invites", null).body().get("items").toString()).contains(roomId);

        Delivery.Reply joined = awaitReply(send(ALAN, "s-alan", roomId, "chat:join", Map.of("roomId", roomId)), "s-alan");
        assertThat(joined.ok()).as(joined.message()).isTrue();
        assertThat(call(ALAN, HttpMethod.GET, "/api/chat/invites", null).body().get("items").toString()).doesNotContain(roomId);
        Response member = call(ADA, HttpMethod.POST, "/api/chat/rooms/" + roomId + "/invites", Map.of("userId", ALAN.id()));
        assertThat(member.status()).isEqualTo(409);
        assertThat(member.body().get("detail").asString()).isEqualTo(ALAN.id() + " is a member already");
        assertThat(call(ALAN, HttpMethod.POST, "/api/chat/rooms/" + roomId + "/invites",
                Map.of("userId", BARBARA.id())).status()).isEqualTo(403);
        assertThat(call(BARBARA, HttpMethod.GET, "/api/chat/rooms/" + roomId + "/members", null).status()).isEqualTo(404);
    }

    @Test
    void anInviteeDeclinesAndTheInvitationIsGone() {
        String roomId = createRoom(ADA, "Study group", "study_group").get("id").asString();
        call(ADA, HttpMethod.POST, "/api/chat/rooms/" + roomId + "/invites", Map.of("userId", BARBARA.id()));

        assertThat(call(ALAN, HttpMethod.DELETE, "/api/chat/rooms/" + roomId + "/invites/" + BARBARA.id(), null).status())
                .isEqualTo(403);
        assertThat(call(BARBARA, HttpMethod.DELETE, "/api/chat/rooms/" + roomId + "/invites/" + BARBARA.id(), null).status())
                .isEqualTo(204);
        assertThat(call(BARBARA, HttpMethod.DELETE, "/api/chat/rooms/" + roomId + "/invites/" + BARBARA.id(), null).status())
                .isEqualTo(404);
        assertThat(awaitReply(send(BARBARA, "s-barbara", roomId, "chat:join", Map.of("roomId", roomId)), "s-barbara")
                .code()).isEqualTo("FORBIDDEN");
    }

    @Test
    void theOwnerChangesSettingsAndNamesAModeratorWhoMaySetSlowModeOnly() {
        String roomId = createRoom(ADA, "Seminar", "public").get("id").asString();
        awaitReply(send(ALAN, "s-alan", roomId, "chat:join", Map.of("roomId", roomId)), "s-alan");
        awaitReply(send(BARBARA, "s-barbara", roomId, "chat:join", Map.of("roomId", roomId)), "s-barbara");
        String rooms = "/api/chat/rooms/" + roomId;

        assertThat(call(ALAN, HttpMethod.PATCH, rooms, Map.of("slowModeSeconds", 5)).status()).isEqualTo(403);
        Response renamed = call(ADA, HttpMethod.PATCH, rooms, Map.of("name", "Seminar B", "description", "Room 4"));
        assertThat(renamed.status()).isEqualTo(200);
        assertThat(renamed.body().get("name").asString()).isEqualTo("Seminar B");
        assertThat(renamed.body().get("maxMembers").asInt()).isEqualTo(100);
        Delivery.Event updated = lastEvent("chat:room_updated", roomId);
        assertThat(updated.seq()).isEqualTo(3);
        assertThat(updated.data().get("room").get("description").asString()).isEqualTo("Room 4");
        Response tooSmall = call(ADA, HttpMethod.PATCH, rooms, Map.of("maxMembers", 2));
        assertThat(tooSmall.status()).isEqualTo(409);
        assertThat(tooSmall.body().get("detail").asString()).isEqualTo("The room has 3 members; maxMembers cannot be below that");
        assertThat(call(ADA, HttpMethod.PATCH, rooms, Map.of("slowModeSeconds", -1)).status()).isEqualTo(400);

        Response promoted = call(ADA, HttpMethod.PUT, rooms + "/members/" + ALAN.id(), Map.of("role", "moderator"));
        assertThat(promoted.status()).isEqualTo(200);
        assertThat(promoted.body().get("role").asString()).isEqualTo("moderator");
        Delivery.Event memberUpdated = lastEvent("chat:member_updated", roomId);
        assertThat(memberUpdated.seq()).isEqualTo(4);
        assertThat(memberUpdated.data().get("userId").asString()).isEqualTo(ALAN.id());
        assertThat(call(ALAN, HttpMethod.PUT, rooms + "/members/" + BARBARA.id(), Map.of("role", "moderator")).status())
                .isEqualTo(403);
        assertThat(call(ALAN, HttpMethod.PATCH, rooms, Map.of("name", "Alan's")).status()).isEqualTo(403);
        assertThat(call(ALAN, HttpMethod.PATCH, rooms, Map.of("slowModeSeconds", 60)).body().get("slowModeSeconds").asInt())
                .isEqualTo(60);
        JsonNode members = call(BARBARA, HttpMethod.GET, rooms + "/members", null).body().get("items");
        assertThat(members.get(0).get("role").asString()).isEqualTo("owner");
        assertThat(members.get(1).get("userId").asString()).isEqualTo(ALAN.id());
        assertThat(members.get(1).get("role").asString()).isEqualTo("moderator");

        // Slow mode: Barbara's second message within the minute is refused with the wait; moderators are exempt.
        assertThat(awaitReply(send(BARBARA, "s-barbara", roomId, "chat:message",
                Map.of("roomId", roomId, "content", "first")), "s-barbara").ok()).isTrue();
        Delivery.Reply tooSoon = awaitReply(send(BARBARA, "s-barbara", roomId, "chat:message",
                Map.of("roomId", roomId, "content", "second")), "s-barbara");
        assertThat(tooSoon.code()).isEqualTo("RATE_LIMITED");
        assertThat(tooSoon.message()).startsWith("Slow mode: one message every 60 s; wait ");
        assertThat(tooSoon.data().get("retryAfterMs").asLong()).isBetween(1L, 60_000L);
        for (String content : List.of("one", "two")) {
            assertThat(awaitReply(send(ALAN, "s-alan", roomId, "chat:message",
                    Map.of("roomId", roomId, "content", content)), "s-alan").ok()).isTrue();
        }
    }

    @Test
    void aFullRoomRefusesTheNextMemberButAnAdminMayEnterAPrivateRoom() {
        JsonNode room = createRoom(ADA, "Pair", "public");
        String roomId = room.get("id").asString();
        assertThat(call(ADA, HttpMethod.PATCH, "/api/chat/rooms/" + roomId, Map.of("maxMembers", 2)).status()).isEqualTo(200);
        awaitReply(send(ALAN, "s-alan", roomId, "chat:join", Map.of("roomId", roomId)), "s-alan");

        Delivery.Reply full = awaitReply(send(BARBARA, "s-barbara", roomId, "chat:join", Map.of("roomId", roomId)), "s-barbara");
        assertThat(full.code()).isEqualTo("CONFLICT");
        assertThat(full.message()).isEqualTo("The room is full");

        String privateRoom = createRoom(ADA, "Private " + UUID.randomUUID(), "private").get("id").asString();
        assertThat(awaitReply(send(GRACE, "s-grace", privateRoom, "chat:join", Map.of("roomId", privateRoom)), "s-grace")
                .ok()).isTrue();
    }

    @Test
    void theOwnerDeletesTheRoomAndEveryoneIsTold() {
        String roomId = createRoom(ADA, "Temporary", "public").get("id").asString();
        awaitReply(send(ALAN, "s-alan", roomId, "chat:join", Map.of("roomId", roomId)), "s-alan");

        assertThat(call(ALAN, HttpMethod.DELETE, "/api/chat/rooms/" + roomId, null).status()).isEqualTo(403);
        assertThat(call(ADA, HttpMethod.DELETE, "/api/chat/rooms/" + roomId, null).status()).isEqualTo(204);

        assertThat(awaitChatEvent("RoomDeleted", roomId).get("deletedBy").asString()).isEqualTo(ADA.id());
        Delivery.Event deleted = lastEvent("chat:room_deleted", roomId);
        assertThat(deleted.seq()).isNull();
        assertThat(call(ALAN, HttpMethod.GET, "/api/chat/rooms/" + roomId, null).status()).isEqualTo(404);
        assertThat(call(ADA, HttpMethod.DELETE, "/api/chat/rooms/" + roomId, null).status()).isEqualTo(404);
    }

    // --- helpers

    private record Response(int status, JsonNode body) {
    }

    private Response call(UserRef user, HttpMethod method, String path, Object body) {
        var request = http.method(method).uri(path).header(HttpHeaders.AUTHORIZATION, bearer(user));
        var exchange = body == null ? request.exchange()
                : request.contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange();
        var result = exchange.expectBody().returnResult();
        byte[] bytes = result.getResponseBody();
        JsonNode json = bytes == null || bytes.length == 0 ? null
                : MeshJson.read(new String(bytes, StandardCharsets.UTF_8), JsonNode.class);
        return new Response(result.getStatus().value(), json);
    }

    /** The last room event of a type, once one has arrived. */
    private Delivery.Event lastEvent(String type, String roomId) {
        return awaitDelivery(d -> d.event() != null && type.equals(d.event().type())
                && ("chat:room:" + roomId).equals(d.event().topic())).event();
    }
}
