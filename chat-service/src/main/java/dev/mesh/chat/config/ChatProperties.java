package dev.mesh.chat.config;

import java.time.Duration;
import java.util.List;

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
 * @param editWindow         how long authors may edit their own messages (moderators and admins: always)
 * @param allowedEmoji       the reactions {@code chat:react} accepts, each compared as a whole string
 * @param typingInterval     at most one {@code chat:typing} refresh per user per room this often
 * @param typingTracked      most (room, user) pairs whose last typing time an instance keeps in memory
 * @param maxAttachmentSize  largest file a member may upload
 * @param attachmentTypes    the content types accepted for upload (their bytes are checked too)
 * @param retentionSweepInterval how often history past its room's {@code historyRetentionDays} is deleted
 * @param retentionBatch     most rows one retention delete statement removes
 * @param maxRoomMembers     the largest {@code maxMembers} a room may be created with (the {@code bench} profile lifts it)
 */
@ConfigurationProperties("mesh.chat")
public record ChatProperties(
        @DefaultValue("50") int snapshotMessages,
        @DefaultValue("100") int replayMaxEvents,
        @DefaultValue("256KB") DataSize replayMaxBytes,
        @DefaultValue("50") int historyPageDefault,
        @DefaultValue("200") int historyPageMax,
        @DefaultValue("5m") Duration editWindow,
        @DefaultValue({"👍", "👎", "❤️", "😂", "😮", "😢", "😡", "🎉"}) List<String> allowedEmoji,
        @DefaultValue("2s") Duration typingInterval,
        @DefaultValue("10000") int typingTracked,
        @DefaultValue("10MB") DataSize maxAttachmentSize,
        @DefaultValue({"image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf", "text/plain",
                "text/markdown", "text/csv"}) List<String> attachmentTypes,
        @DefaultValue("1h") Duration retentionSweepInterval,
        @DefaultValue("5000") int retentionBatch,
        @DefaultValue("1000") int maxRoomMembers) {
}
