package dev.mesh.notification.domain;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

import dev.mesh.contracts.wire.MeshException;

/**
 * A user's quiet hours: from {@code start} to {@code end} local time in {@code zone}, every day;
 * an end before the start spans midnight (22:00–07:00). Only {@code critical} notifications are
 * emailed during them; the rest wait for the end.
 */
public record QuietHours(LocalTime start, LocalTime end, ZoneId zone) {

    private static final DateTimeFormatter HH_MM = DateTimeFormatter.ofPattern("HH:mm");

    public QuietHours {
        if (start.equals(end)) {
            throw MeshException.validation("quiet hours must not start and end at the same time");
        }
    }

    /** From the API's strings ({@code HH:mm}, an IANA time zone); VALIDATION with a sentence otherwise. */
    public static QuietHours parse(String start, String end, String timeZone) {
        if (start == null || end == null || timeZone == null) {
            throw MeshException.validation("quiet hours need start, end and timeZone");
        }
        ZoneId zone;
        try {
            zone = ZoneId.of(timeZone);
        } catch (DateTimeException e) {
            throw MeshException.validation("timeZone must be an IANA time zone such as Europe/Paris");
        }
        return new QuietHours(time(start, "start"), time(end, "end"), zone);
    }

    private static LocalTime time(String value, String field) {
        try {
            return LocalTime.parse(value, HH_MM);
        } catch (DateTimeParseException e) {
            throw MeshException.validation(field + " must be a time as HH:mm");
        }
    }

    public String startText() {
        return start.format(HH_MM);
    }

    public String endText() {
        return end.format(HH_MM);
    }

    /** Whether {@code at} falls within the quiet hours (the start included, the end not). */
    public boolean contains(Instant at) {
        LocalTime local = at.atZone(zone).toLocalTime();
        if (start.isBefore(end)) {
            return !local.isBefore(start) && local.isBefore(end);
        }
        return !local.isBefore(start) || local.isBefore(end);
    }

    /** The first instant at or after {@code at} outside the quiet hours. */
    public Instant endAfter(Instant at) {
        if (!contains(at)) {
            return at;
        }
        ZonedDateTime local = at.atZone(zone);
        ZonedDateTime end = local.toLocalDate().atTime(this.end).atZone(zone);
        if (!end.isAfter(local)) {
            end = local.toLocalDate().plusDays(1).atTime(this.end).atZone(zone);
        }
        return end.toInstant();
    }
}
