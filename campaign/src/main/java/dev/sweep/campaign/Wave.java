package dev.sweep.campaign;

import java.time.Instant;

/** One wave of sampling: every site opens and closes together, and so many new people come. */
public record Wave(String name, Instant opens, Instant closes, int persons) implements java.io.Serializable {}
