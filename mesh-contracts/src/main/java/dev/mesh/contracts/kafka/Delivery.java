package dev.mesh.contracts.kafka;

import tools.jackson.databind.JsonNode;

/**
 * A record on {@code gateway.deliveries}: what a gateway should do for the sockets of an
 * audience. Exactly one of {@code event}, {@code attach}, {@code detach}, {@code reply},
 * {@code close} is set. A service writes a command's events before its reply, in one
 * outbox transaction, so gateways see them in that order.
 */
public record Delivery(Audience audience, String excludeSessionId, Event event, Attach attach, Detach detach,
                       Reply reply, Close close) {

    public record Audience(Kind kind, String id) {
        public enum Kind { topic, user, session, all }

        /** The header form, {@code kind:id}, e.g. {@code topic:chat:room:r1}. */
        public String header() {
            return kind == Kind.all ? "all:" : kind.name() + ":" + id;
        }

        public static Audience topic(String topic) {
            return new Audience(Kind.topic, topic);
        }

        public static Audience user(String userId) {
            return new Audience(Kind.user, userId);
        }

        public static Audience session(String sessionId) {
            return new Audience(Kind.session, sessionId);
        }

        public static Audience all() {
            return new Audience(Kind.all, null);
        }
    }

    public record Event(String type, String topic, Long seq, JsonNode data) {
    }

    /** Subscribe a session to a stream topic; events with a seq below {@code fromSeq} are not for it. */
    public record Attach(String sessionId, String topic, long fromSeq) {
    }

    /** Unsubscribe one session, or every session of a user, from a topic. */
    public record Detach(String sessionId, String userId, String topic) {
    }

    public record Reply(String instanceId, String sessionId, String ref, boolean ok, String code, String message,
                        JsonNode data) {
    }

    public record Close(String userId, int code) {
    }

    public static Delivery event(Audience audience, String excludeSessionId, Event event) {
        return new Delivery(audience, excludeSessionId, event, null, null, null, null);
    }

    public static Delivery attach(Attach attach) {
        return new Delivery(Audience.session(attach.sessionId()), null, null, attach, null, null, null);
    }

    public static Delivery detach(Audience audience, Detach detach) {
        return new Delivery(audience, null, null, null, detach, null, null);
    }

    public static Delivery reply(Reply reply) {
        return new Delivery(Audience.session(reply.sessionId()), null, null, null, null, reply, null);
    }

    public static Delivery close(Close close) {
        return new Delivery(Audience.user(close.userId()), null, null, null, null, null, close);
    }
}
