package dev.mesh.chat.domain;

import dev.mesh.contracts.wire.MeshException;

/**
 * Read markers ({@code chat:read {roomId, upToSeq}}): a member's marker names the last seq of
 * the room's stream they have read. It only moves forward (two devices reading in any order end
 * at the furthest point), never past the stream's end, and in direct conversations and small
 * rooms the authors of the messages it passes get a read receipt. Pure: the caller brings the facts.
 */
public final class ReadMarkers {

    /** Rooms with at most this many members send read receipts (FEATURES: "small rooms"). */
    public static final int RECEIPT_MAX_MEMBERS = 20;

    /** What a read does: the marker after it, and whether it moved. */
    public record Move(long from, long to) {
        public boolean moved() {
            return to > from;
        }
    }

    private ReadMarkers() {
    }

    /**
     * Moves a marker from {@code current} to {@code upToSeq} on a stream whose last seq is
     * {@code lastSeq}; a marker behind the current one changes nothing.
     */
    public static Move read(long current, Long upToSeq, long lastSeq) {
        if (upToSeq == null) {
            throw MeshException.validation("upToSeq is required");
        }
        if (upToSeq < 0) {
            throw MeshException.validation("upToSeq cannot be negative");
        }
        if (upToSeq > lastSeq) {
            throw MeshException.validation("upToSeq " + upToSeq + " is past the room's last seq " + lastSeq);
        }
        return new Move(current, Math.max(current, upToSeq));
    }

    /** Receipts go out in direct conversations and rooms of at most {@value #RECEIPT_MAX_MEMBERS} members. */
    public static boolean sendsReceipts(RoomType type, int memberCount) {
        return type == RoomType.DIRECT || memberCount <= RECEIPT_MAX_MEMBERS;
    }
}
