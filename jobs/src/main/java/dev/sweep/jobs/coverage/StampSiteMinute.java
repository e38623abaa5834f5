package dev.sweep.jobs.coverage;

import dev.sweep.events.SiteMinute;
import java.time.Instant;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;

/** Puts the site, its township and the window's start on a minute's tally. State: none. */
public final class StampSiteMinute extends ProcessWindowFunction<SiteMinuteTally.Acc, SiteMinute, String, TimeWindow> {
    @Override
    public void process(String siteId, Context ctx, Iterable<SiteMinuteTally.Acc> tallies, Collector<SiteMinute> out) {
        SiteMinuteTally.Acc acc = tallies.iterator().next();
        out.collect(SiteMinute.newBuilder()
                .setSiteId(siteId)
                .setTownshipId(acc.townshipId)
                .setWindowStart(Instant.ofEpochMilli(ctx.window().getStart()))
                .setScans(acc.scans)
                .setPersons(acc.persons)
                .setTubes(acc.tubes.size())
                .setSamplers(acc.samplers.size())
                .build());
    }
}
