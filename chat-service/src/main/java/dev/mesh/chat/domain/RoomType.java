package dev.mesh.chat.domain;

import java.util.Arrays;
import java.util.Optional;

/** The kinds of room; the names are the wire and database values. */
public enum RoomType {
    PUBLIC("public"),
    PRIVATE("private"),
    STUDY_GROUP("study_group"),
    DIRECT("direct");

    private final String value;

    RoomType(String value) {
        this.value = value;
    }

    public String value() {
        return value;
    }

    public static Optional<RoomType> parse(String value) {
        return Arrays.stream(values()).filter(t -> t.value.equals(value)).findFirst();
    }

    /** Anyone may join and read a public room; every other kind is for its members. */
    public boolean isOpen() {
        return this == PUBLIC;
    }
}
