package dev.sweep.cli;

import dev.sweep.campaign.Area;
import dev.sweep.campaign.Scenario;
import dev.sweep.campaign.ScenarioException;
import dev.sweep.campaign.ScenarioGenerator;
import dev.sweep.campaign.Wave;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "scenario", mixinStandardHelpOptions = true,
        description = "Campaign scenarios: check a folder (your own county or city), or generate one of any size.",
        subcommands = {ScenarioCommand.Generate.class, ScenarioCommand.Check.class})
final class ScenarioCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** Prints what a scenario holds, level by level: what a user checks before a campaign. */
    static void summarize(Scenario s) {
        System.out.printf("%s (%s): %,d residents, %,d sites, %,d samplers; plan judged per %s%n", s.name(), s.title(),
                s.population(), s.sites().size(), s.samplers(), s.planLevel());
        for (String level : s.levels()) {
            List<Area> areas = s.areasAt(level);
            long min = areas.stream().mapToLong(Area::population).min().orElse(0);
            long max = areas.stream().mapToLong(Area::population).max().orElse(0);
            System.out.printf("  %-10s %,6d area%s, %,d..%,d residents each%n", level, areas.size(),
                    areas.size() == 1 ? "" : "s", min, max);
        }
        for (Wave w : s.waves()) {
            System.out.printf("  wave %s: %s .. %s, %,d people%n", w.name(), w.opens().atZone(s.zone()).toLocalDateTime(),
                    w.closes().atZone(s.zone()).toLocalDateTime(), w.persons());
        }
        System.out.printf("  target %.0f%% by %s%n", s.targetCoverage() * 100, s.deadline().atZone(s.zone()).toLocalDateTime());
    }

    @Command(name = "check", mixinStandardHelpOptions = true,
            description = "Loads a scenario folder (or a shipped name) as the pipeline would and prints what it holds; "
                    + "an error names the file, the row and the field.")
    static final class Check implements Callable<Integer> {
        @Parameters(paramLabel = "SCENARIO", description = "A scenario folder, or a shipped name (neixiang, metro).")
        String scenario;

        @Override
        public Integer call() {
            Scenario s;
            try {
                s = Scenario.load(scenario);
            } catch (ScenarioException e) {
                System.err.println("sweep scenario check: " + e.getMessage());
                return 1;
            }
            summarize(s);
            return 0;
        }
    }

    @Command(name = "generate", mixinStandardHelpOptions = true,
            description = {"Writes a valid scenario folder from a few figures, deterministically (the same figures and "
                    + "seed, the same files). The defaults are the shipped metro: a synthetic city of 20 million in 10 "
                    + "districts, 80 streets and 800 communities, with 10,000 sites and one wave of a day.",
                    "Area counts per level are exact; how they share out among the areas above, and how many people "
                            + "live in each, varies with the seed."})
    static final class Generate implements Callable<Integer> {
        private static final ScenarioGenerator.Plan METRO = ScenarioGenerator.Plan.metro();

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "The folder to write (created if missing).")
        Path out;

        @Option(names = "--force", description = "Replace the scenario files already in --out.")
        boolean force;

        @Option(names = "--name", description = "The scenario's name (a-z, 0-9, -). Default: metro.")
        String name = METRO.name();

        @Option(names = "--title", description = "Its title, one line. Default: the metro's.")
        String title = METRO.title();

        @Option(names = "--root-id", description = "The root area's id. Default: MT.")
        String rootId = METRO.rootId();

        @Option(names = "--timezone", description = "Default: Asia/Shanghai.")
        String timezone = METRO.timezone();

        @Option(names = "--area-code", description = "First six digits of the residents' ID numbers. Default: 310000.")
        String areaCode = METRO.areaCode();

        @Option(names = "--levels", split = ",", description = "The levels from the root down. Default: city,district,street,community.")
        List<String> levels = METRO.levels();

        @Option(names = "--fan-out", split = ",", description = "Areas per area above, one figure per level below the root. Default: 10,8,10.")
        List<Integer> fanOut = METRO.fanOut();

        @Option(names = "--plan-level", description = "The level the behind-plan rule judges. Default: street (with --levels: the level below the root).")
        String planLevel;

        @Option(names = "--population", description = "Residents of the whole campaign. Default: 20000000.")
        long population = METRO.population();

        @Option(names = "--sites", description = "Sampling sites, shared among the --site-level areas by population. Default: 10000.")
        int sites = METRO.sites();

        @Option(names = "--site-level", description = "The level whose areas the sites stand in. Default: the last level.")
        String siteLevel;

        @Option(names = "--waves", description = "Waves, one a day from --first-day; the first samples the most. Default: 1.")
        int waves = METRO.waves();

        @Option(names = "--first-day", description = "yyyy-MM-dd. Default: 2022-04-04.")
        LocalDate firstDay = METRO.firstDay();

        @Option(names = "--opens", description = "When each wave opens, HH:mm local time. Default: 06:00.")
        LocalTime opens = METRO.opens();

        @Option(names = "--closes", description = "When each wave closes, HH:mm. Default: 22:00.")
        LocalTime closes = METRO.closes();

        @Option(names = "--sampled", description = "Share of the residents the waves sample. Default: 0.92.")
        double sampled = METRO.sampled();

        @Option(names = "--target-coverage", description = "The command center's target. Default: 0.9.")
        double targetCoverage = METRO.targetCoverage();

        @Option(names = "--retest-share", description = "Share of scans that sample someone again. Default: 0.01.")
        double retestShare = METRO.retestShare();

        @Option(names = "--pool-size", description = "Swabs per pooled tube: 1, 5 or 10. Default: 10.")
        int poolSize = METRO.poolSize();

        @Option(names = "--lat", description = "The root's seat, latitude. Default: 31.23.")
        double lat = METRO.lat();

        @Option(names = "--lon", description = "The root's seat, longitude. Default: 121.47.")
        double lon = METRO.lon();

        @Option(names = "--radius-km", description = "How far the areas spread from the seat. Default: 40.")
        double radiusKm = METRO.radiusKm();

        @Option(names = "--seed", description = "Default: 7.")
        long seed = METRO.seed();

        @Override
        public Integer call() throws IOException {
            boolean ownLevels = !levels.equals(METRO.levels());
            String plan = planLevel != null ? planLevel : ownLevels ? levels.get(Math.min(1, levels.size() - 1)) : METRO.planLevel();
            String at = siteLevel != null ? siteLevel : levels.get(levels.size() - 1);
            ScenarioGenerator.Plan p = new ScenarioGenerator.Plan(name, title, rootId, timezone, areaCode, levels, fanOut,
                    plan, population, sites, at, waves, firstDay, opens, closes, sampled, targetCoverage, retestShare,
                    poolSize, lat, lon, radiusKm, seed);
            try {
                p.validate();
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--" + flagOf(e.getMessage()));
            }
            if (!force && Files.exists(out.resolve("areas.csv"))) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--out: " + out + " already holds a scenario; --force replaces it");
            }
            ScenarioGenerator.Written w = ScenarioGenerator.write(p, out);
            System.out.printf("scenario generate: wrote %s: %,d areas, %,d sites, %,d residents, %,d to sample%n",
                    w.dir(), w.areas(), w.sites(), w.population(), w.sampled());
            summarize(Scenario.load(out.toString()));
            return 0;
        }

        /** "fanOut: ..." -> "fan-out: ...": the generator names its fields, the user knows the flags. */
        static String flagOf(String message) {
            int colon = message.indexOf(':');
            String field = message.substring(0, colon);
            String flag = field.replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT);
            return flag + message.substring(colon);
        }
    }
}
