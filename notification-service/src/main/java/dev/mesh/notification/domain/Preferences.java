package dev.mesh.notification.domain;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

import dev.mesh.contracts.wire.MeshException;

/**
 * A user's notification settings: an email address (none: no email at all), the kinds whose
 * email is turned off (every kind is on by default; in-app cannot be turned off) and optional
 * quiet hours.
 */
public record Preferences(String email, Set<Kind> emailOff, QuietHours quietHours) {

    public static final int MAX_EMAIL_LENGTH = 254;

    public Preferences {
        emailOff = emailOff.isEmpty() ? EnumSet.noneOf(Kind.class) : EnumSet.copyOf(emailOff);
    }

    public static Preferences defaults() {
        return new Preferences(null, Set.of(), null);
    }

    public boolean enabled(Kind kind, Channel channel) {
        return channel == Channel.in_app || !emailOff.contains(kind);
    }

    public Preferences withEmailOff(Kind kind) {
        Set<Kind> off = EnumSet.noneOf(Kind.class);
        off.addAll(emailOff);
        off.add(kind);
        return new Preferences(email, off, quietHours);
    }

    /**
     * The settings a PUT asks for, validated: {@code channels} maps kind → channel → on/off (kinds
     * left out stay on), {@code quietHours} null for none.
     */
    public static Preferences of(String email, Map<String, Map<String, Boolean>> channels, QuietHours quietHours) {
        Set<Kind> off = EnumSet.noneOf(Kind.class);
        if (channels != null) {
            channels.forEach((kindName, byChannel) -> {
                Kind kind = Kind.parse(kindName).orElseThrow(() -> MeshException.validation(
                        "unknown notification kind " + kindName));
                if (byChannel == null) {
                    throw MeshException.validation("channels of " + kindName + " must be an object");
                }
                byChannel.forEach((channelName, on) -> {
                    Channel channel = Channel.parse(channelName).orElseThrow(() -> MeshException.validation(
                            "unknown channel " + channelName + " (in_app or email)"));
                    if (on == null) {
                        throw MeshException.validation(kindName + "." + channelName + " must be true or false");
                    }
                    if (channel == Channel.in_app && !on) {
                        throw MeshException.validation("in-app notifications cannot be turned off");
                    }
                    if (channel == Channel.email && !on) {
                        off.add(kind);
                    }
                });
            });
        }
        return new Preferences(validEmail(email), off, quietHours);
    }

    static String validEmail(String email) {
        if (email == null || email.isBlank()) {
            return null;
        }
        String address = email.strip();
        int at = address.indexOf('@');
        if (address.length() > MAX_EMAIL_LENGTH || at < 1 || at != address.lastIndexOf('@')
                || at == address.length() - 1 || address.chars().anyMatch(c -> Character.isWhitespace(c) || c < 32)) {
            throw MeshException.validation("email must be an address such as ada@example.org");
        }
        return address;
    }
}
