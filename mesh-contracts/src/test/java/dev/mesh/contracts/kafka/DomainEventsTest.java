package dev.mesh.contracts.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

import dev.mesh.contracts.MeshJson;
import dev.mesh.contracts.chat.ChatEvents;

class DomainEventsTest {

    @Test
    void anEventIsWrittenWithItsTypeFirstAndReadBackAsItsRecord() {
        ChatEvents.MessagePosted posted = new ChatEvents.MessagePosted("e1", "r1", "m1", 7, "ada", "hi @alan",
                List.of("alan"), null, null, 42L, null);

        String json = DomainEvents.write(posted);
        JsonNode node = MeshJson.read(json, JsonNode.class);

        assertThat(json).startsWith("{\"type\":\"MessagePosted\",");
        assertThat(DomainEvents.typeOf(node)).contains("MessagePosted");
        assertThat(DomainEvents.read(node, ChatEvents.MessagePosted.class)).isEqualTo(posted);
    }

    @Test
    void aRecordWithoutTypeHasNone() {
        assertThat(DomainEvents.typeOf(MeshJson.read("{\"roomId\":\"r1\"}", JsonNode.class))).isEmpty();
        assertThat(DomainEvents.typeOf(MeshJson.read("{\"type\":7}", JsonNode.class))).isEmpty();
    }
}
