package dev.mesh.presence.config;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import dev.mesh.presence.domain.PresenceRules;

/**
 * presence-service's timers, bound from {@code mesh.presence.*}.
 *
 * @param grace        a user with no session goes offline only after this (no flapping)
 * @param awayAfter    every session idle this long turns the user away
 * @param scanInterval how often the scheduler looks for due timers and dead gateway boots
 * @param scanBatch    most users one scan reconciles
 * @param maxSubscribe most user ids in one presence:subscribe or bulk query
 */
@ConfigurationProperties("mesh.presence")
public record PresenceProperties(
        @DefaultValue("5s") Duration grace,
        @DefaultValue("5m") Duration awayAfter,
        @DefaultValue("1s") Duration scanInterval,
        @DefaultValue("500") int scanBatch,
        @DefaultValue("100") int maxSubscribe) {

    public PresenceRules.Settings rules() {
        return new PresenceRules.Settings(grace, awayAfter);
    }
}
