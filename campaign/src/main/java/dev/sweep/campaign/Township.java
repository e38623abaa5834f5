package dev.sweep.campaign;

/** One township of the campaign: who lives there, and where its seat is. */
public record Township(String id, String nameZh, String name, String kind, int population, double lat, double lon) implements java.io.Serializable {}
