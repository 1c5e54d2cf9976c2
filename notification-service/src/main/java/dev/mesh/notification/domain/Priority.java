package dev.mesh.notification.domain;

import java.util.Arrays;
import java.util.Optional;

/** How urgent a notification is; decides its email (FEATURES.md): {@link EmailPolicy}. */
public enum Priority {
    low, normal, high, critical;

    public static Optional<Priority> parse(String value) {
        return Arrays.stream(values()).filter(p -> p.name().equals(value)).findFirst();
    }
}
