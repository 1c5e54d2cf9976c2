package dev.mesh.gateway.presence;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.springframework.kafka.support.SendResult;

import dev.mesh.contracts.MeshJson;
import dev.mesh.contracts.presence.ConnectionEvent;
import dev.mesh.runtime.kafka.KafkaPublisher;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * A {@link KafkaPublisher} that records what is handed to it. In auto mode every send succeeds
 * at once; otherwise each stays pending until the test {@link #answer answers} it.
 */
class FakeKafka extends KafkaPublisher {

    record Sent(String topic, String key, String value, Sinks.One<SendResult<String, String>> answer) {
        ConnectionEvent event() {
            return MeshJson.mapper().readValue(value, ConnectionEvent.class);
        }
    }

    private final boolean auto;
    final List<Sent> sent = new CopyOnWriteArrayList<>();

    FakeKafka(boolean auto) {
        super(null);
        this.auto = auto;
    }

    @Override
    public Mono<SendResult<String, String>> send(String topic, String key, String value, String audience) {
        return Mono.defer(() -> {
            Sinks.One<SendResult<String, String>> answer = Sinks.one();
            sent.add(new Sent(topic, key, value, answer));
            if (auto) {
                answer.tryEmitValue(new SendResult<>(new ProducerRecord<>(topic, key, value), null));
            }
            return answer.asMono();
        });
    }

    void answer(int index) {
        Sent s = sent.get(index);
        s.answer().tryEmitValue(new SendResult<>(new ProducerRecord<>(s.topic(), s.key(), s.value()), null));
    }

    void fail(int index) {
        sent.get(index).answer().tryEmitError(new IllegalStateException("broker down"));
    }

    List<String> types() {
        return sent.stream().map(s -> s.event().type()).toList();
    }
}
