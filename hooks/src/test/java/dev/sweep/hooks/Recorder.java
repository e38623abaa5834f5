package dev.sweep.hooks;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records what the dispatcher's destinations report, for the tests to wait on and check. */
final class Recorder implements DeliveryListener {
    enum Type { RECEIVED, FAILED, RATE_LIMITED, DELIVERED, UNDELIVERED }

    record Event(Type type, String channel, List<String> keys, int attempt, String detail, long at) {}

    final List<Event> events = new CopyOnWriteArrayList<>();

    @Override
    public void received(String channelId, String key) {
        events.add(new Event(Type.RECEIVED, channelId, List.of(key), 0, "", System.currentTimeMillis()));
    }

    @Override
    public void attemptFailed(String channelId, List<String> keys, int attempt, String detail, Duration retryIn) {
        events.add(new Event(Type.FAILED, channelId, keys, attempt, detail, System.currentTimeMillis()));
    }

    @Override
    public void rateLimited(String channelId, List<String> keys, int attempt, String detail, Duration retryIn) {
        events.add(new Event(Type.RATE_LIMITED, channelId, keys, attempt, detail, System.currentTimeMillis()));
    }

    @Override
    public void delivered(String channelId, String pageKey, List<String> keys, int attempts) {
        events.add(new Event(Type.DELIVERED, channelId, keys, attempts, pageKey, System.currentTimeMillis()));
    }

    @Override
    public void undelivered(String channelId, List<String> keys, String reason, String detail) {
        events.add(new Event(Type.UNDELIVERED, channelId, keys, 0, reason + ": " + detail, System.currentTimeMillis()));
    }

    List<Event> of(Type type, String channel) {
        return events.stream().filter(e -> e.type() == type && e.channel().equals(channel)).toList();
    }

    long count(Type type, String channel) {
        return of(type, channel).size();
    }
}
