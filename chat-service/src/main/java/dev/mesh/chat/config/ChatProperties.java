package dev.mesh.chat.config;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * chat-service's limits, bound from {@code mesh.chat.*} (FEATURES: every limit is
 * configuration with this default).
 *
 * @param snapshotMessages   messages in a join's ack when the client brings no {@code sinceSeq}
 * @param replayMaxEvents    most missed events replayed inline on a resume (ARCHITECTURE §4.5)
 * @param replayMaxBytes     most bytes of missed events replayed inline; beyond either cap, {@code recovered:false}
 * @param historyPageDefault page size of the history API when none is asked for
 * @param historyPageMax     largest page the history API serves
 */
@ConfigurationProperties("mesh.chat")
public record ChatProperties(
        @DefaultValue("50") int snapshotMessages,
        @DefaultValue("100") int replayMaxEvents,
        @DefaultValue("256KB") DataSize replayMaxBytes,
        @DefaultValue("50") int historyPageDefault,
        @DefaultValue("200") int historyPageMax) {
}
