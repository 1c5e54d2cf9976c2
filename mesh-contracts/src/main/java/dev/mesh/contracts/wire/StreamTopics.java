package dev.mesh.contracts.wire;

/**
 * Names of the topics a session can be attached to (ARCHITECTURE §4). These are stream
 * names on the wire, not Kafka topics.
 */
public final class StreamTopics {

    private StreamTopics() {
    }

    public static String chatRoom(String roomId) {
        return "chat:room:" + roomId;
    }

    public static String quizSession(String sessionId) {
        return "quiz:session:" + sessionId;
    }

    public static String quizSessionHost(String sessionId) {
        return "quiz:session:" + sessionId + ":host";
    }

    public static String presenceUser(String userId) {
        return "presence:user:" + userId;
    }

    public static String notificationsUser(String userId) {
        return "notifications:user:" + userId;
    }

    public static String user(String userId) {
        return "user:" + userId;
    }

    public static String session(String sessionId) {
        return "session:" + sessionId;
    }

    /** The key of a direct-message room: both user ids ordered as strings. */
    public static String directRoomId(String userA, String userB) {
        return userA.compareTo(userB) <= 0 ? "dm:" + userA + ":" + userB : "dm:" + userB + ":" + userA;
    }
}
