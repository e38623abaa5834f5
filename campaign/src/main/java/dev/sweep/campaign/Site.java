package dev.sweep.campaign;

/** One sampling site (collection point) with its staff and what it can do in an hour. */
public record Site(String id, String townshipId, String name, int samplers, int lanes, int capacityPerHour,
                   double lat, double lon) implements java.io.Serializable {

    /** Swabs one sampler takes per hour at this site. */
    public double ratePerSampler() {
        return (double) capacityPerHour / samplers;
    }
}
