package dev.mesh.contracts.kafka;

import java.util.Optional;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import dev.mesh.contracts.MeshJson;

/**
 * How a domain event travels on a {@code <domain>.events} topic: its record's fields plus a
 * {@code type} naming the record ({@code MessagePosted}, {@code QuizCompleted}, …), so a
 * consumer picks the events it cares about without guessing from their fields.
 */
public final class DomainEvents {

    public static final String TYPE_FIELD = "type";

    private DomainEvents() {
    }

    /** The type name of an event record: its simple class name. */
    public static String typeOf(Object event) {
        return event.getClass().getSimpleName();
    }

    /** The JSON of an event with its {@code type} first. */
    public static String write(Object event) {
        ObjectNode node = MeshJson.object();
        node.put(TYPE_FIELD, typeOf(event));
        JsonNode fields = MeshJson.tree(event);
        if (fields.isObject()) {
            fields.properties().forEach(field -> {
                if (!TYPE_FIELD.equals(field.getKey())) {
                    node.set(field.getKey(), field.getValue());
                }
            });
        }
        return MeshJson.write(node);
    }

    /** The {@code type} of an event read from a topic, empty when it has none. */
    public static Optional<String> typeOf(JsonNode event) {
        JsonNode type = event == null ? null : event.get(TYPE_FIELD);
        return type != null && type.isString() ? Optional.of(type.asString()) : Optional.empty();
    }

    /** Reads an event as the record of its type (the {@code type} field itself is ignored). */
    public static <T> T read(JsonNode event, Class<T> type) {
        return MeshJson.convert(event, type);
    }
}
