package dev.mesh.quiz.domain;

/** States of a live session: {@code lobby → question → reveal → question … → completed}, plus paused and cancelled. */
public enum SessionState {
    lobby, question, reveal, paused, completed, cancelled;

    public boolean isOver() {
        return this == completed || this == cancelled;
    }
}
