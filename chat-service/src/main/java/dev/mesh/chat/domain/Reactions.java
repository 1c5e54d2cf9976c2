package dev.mesh.chat.domain;

import java.util.List;

import dev.mesh.contracts.wire.MeshException;

/** Reactions: one of the allowed emoji, compared as whole strings; a reaction toggles. */
public final class Reactions {

    private Reactions() {
    }

    /** The emoji if it is one of {@code allowed} exactly (no trimming, no normalisation). */
    public static String emoji(String raw, List<String> allowed) {
        if (raw == null || raw.isEmpty()) {
            throw MeshException.validation("emoji is required");
        }
        if (!allowed.contains(raw)) {
            throw MeshException.validation(abbreviate(raw) + " is not an allowed reaction");
        }
        return raw;
    }

    /** Whether a reaction is added ({@code true}) or taken back, given whether the user had it. */
    public static boolean toggle(boolean hadIt) {
        return !hadIt;
    }

    private static String abbreviate(String raw) {
        return raw.codePointCount(0, raw.length()) <= 16 ? raw : raw.substring(0, raw.offsetByCodePoints(0, 16)) + "…";
    }
}
