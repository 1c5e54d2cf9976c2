package dev.mesh.chat.domain;

/** A member's role in a room; the names are the database values. */
public enum MemberRole {
    owner, moderator, member
}
