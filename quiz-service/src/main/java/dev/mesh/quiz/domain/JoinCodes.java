package dev.mesh.quiz.domain;

import java.util.random.RandomGenerator;

/** A session's join code: six digits, leading zeros kept. Uniqueness among open sessions is the database's. */
public final class JoinCodes {

    private JoinCodes() {
    }

    public static String next(RandomGenerator random) {
        return String.format("%06d", random.nextInt(1_000_000));
    }

    public static boolean isWellFormed(String code) {
        return code != null && code.matches("\\d{6}");
    }
}
