package dev.sweep.producers.simulator;

/**
 * One record the simulator sends: to a topic, with a key, at a point of event time.
 * {@code sendAt} is later than the event's own time when a drill holds it back;
 * {@code newPersons} is 1 for the scan of someone sampled for the first time (for progress).
 */
public record Emission(String topic, String key, byte[] value, long eventTime, long sendAt, int newPersons) {

    Emission sentAgainAt(long later) {
        return new Emission(topic, key, value, eventTime, later, 0);
    }
}
