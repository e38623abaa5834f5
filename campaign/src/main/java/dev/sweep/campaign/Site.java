package dev.sweep.campaign;

/**
 * One sampling site (collection point) with its staff and what it can do in an hour. It stands in an area
 * ({@code areaId}: a township, a street, a community); {@code townshipId} is that area's ancestor one level
 * below the root (the area itself when it is a township), whose leads are paged for it.
 */
public record Site(String id, String townshipId, String name, int samplers, int lanes, int capacityPerHour,
                   double lat, double lon, String areaId) implements java.io.Serializable {

    /** Swabs one sampler takes per hour at this site. */
    public double ratePerSampler() {
        return (double) capacityPerHour / samplers;
    }
}
