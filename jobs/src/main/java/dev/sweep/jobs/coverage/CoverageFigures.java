package dev.sweep.jobs.coverage;

import dev.sweep.events.Coverage;
import dev.sweep.events.CoverageScope;
import java.time.Instant;

/** How a coverage update is computed from people sampled, population, rate and target. */
final class CoverageFigures {
    private CoverageFigures() {}

    static Coverage of(CoverageScope scope, String townshipId, String level, String areaId, long minute, long sampled,
                       long population, double ratePerHour, double target) {
        return Coverage.newBuilder()
                .setScope(scope)
                .setTownshipId(townshipId)
                .setLevel(level)
                .setAreaId(areaId)
                .setMinute(Instant.ofEpochMilli(minute))
                .setSampled(sampled)
                .setPopulation(population)
                .setCoverage(population == 0 ? 0 : (double) sampled / population)
                .setRatePerHour(ratePerHour)
                .setEtaMinutes(etaMinutes(sampled, population, ratePerHour, target))
                .build();
    }

    /** Minutes until {@code target} of the population is sampled at this rate; 0 once reached, null if never. */
    static Double etaMinutes(long sampled, long population, double ratePerHour, double target) {
        long goal = (long) Math.ceil(target * population);
        if (sampled >= goal) {
            return 0.0;
        }
        if (ratePerHour <= 0) {
            return null;
        }
        return (goal - sampled) / ratePerHour * 60.0;
    }
}
