package dev.mesh.quiz.domain;

import java.security.SecureRandom;
import java.util.UUID;

/** UUIDv7 (RFC 9562): epoch milliseconds then random bits, so ids made here sort by creation time (ARCHITECTURE §4). */
public final class UuidV7 {

    private static final SecureRandom RANDOM = new SecureRandom();

    private UuidV7() {
    }

    public static String next() {
        long millis = System.currentTimeMillis();
        long msb = (millis & 0xFFFF_FFFF_FFFFL) << 16 | 0x7000L | RANDOM.nextInt(1 << 12);
        long lsb = RANDOM.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL | 0x8000_0000_0000_0000L;
        return new UUID(msb, lsb).toString();
    }
}
