package dev.sweep.gateway.stations;

/**
 * One record a station has to post: to the scans or the heartbeats endpoint (by Kafka topic), for a site, as
 * Avro single-object bytes, due {@code dueMillis} after the start (0: at once).
 */
public record Outgoing(String topic, String siteId, byte[] value, long dueMillis) {}
