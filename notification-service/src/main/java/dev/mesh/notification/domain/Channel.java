package dev.mesh.notification.domain;

import java.util.Arrays;
import java.util.Optional;

/** A way a notification reaches its user. In-app is always on; web push will be another constant. */
public enum Channel {
    in_app, email;

    public static Optional<Channel> parse(String value) {
        return Arrays.stream(values()).filter(c -> c.name().equals(value)).findFirst();
    }
}
