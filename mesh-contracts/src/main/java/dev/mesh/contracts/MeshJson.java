package dev.mesh.contracts;

import com.fasterxml.jackson.annotation.JsonInclude;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The one JSON configuration used on the wire, on Kafka and in the outbox, so a record
 * written by one service reads the same in every other. Absent fields are omitted (not
 * {@code null}), unknown fields are ignored (so a newer producer does not break an older
 * consumer), and numbers stay integers (STACK.md: no exponent-form timestamps).
 */
public final class MeshJson {

    private static final JsonMapper MAPPER = configure(JsonMapper.builder()).build();

    private MeshJson() {
    }

    /** Applies the mesh's settings to a builder; Spring's own HTTP mapper gets them through this too. */
    public static JsonMapper.Builder configure(JsonMapper.Builder builder) {
        return builder
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .changeDefaultPropertyInclusion(incl -> incl
                        .withValueInclusion(JsonInclude.Include.NON_NULL)
                        .withContentInclusion(JsonInclude.Include.NON_NULL));
    }

    public static JsonMapper mapper() {
        return MAPPER;
    }

    public static String write(Object value) {
        return MAPPER.writeValueAsString(value);
    }

    public static <T> T read(String json, Class<T> type) {
        return MAPPER.readValue(json, type);
    }

    public static <T> T convert(JsonNode node, Class<T> type) {
        return MAPPER.treeToValue(node, type);
    }

    public static JsonNode tree(Object value) {
        return MAPPER.valueToTree(value);
    }

    public static ObjectNode object() {
        return MAPPER.createObjectNode();
    }
}
