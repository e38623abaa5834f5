package dev.sweep.hooks;

import dev.sweep.campaign.Scenario;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A small city as the tests' scenario, written into a test's own directory: city -> district -> street ->
 * community, behind plan judged per street. 东城区 (DC) has 10 streets of 10 communities with 10 sites each:
 * 1,000 stations, the district a mobile network outage takes offline at once; 西城区 (XC) has two sites.
 * Sites are DC-0001 .. DC-1000 (community DC-Sss-Ccc holds the ten after its predecessors).
 */
final class CityScenario {
    static final int DC_SITES = 1_000;

    private CityScenario() {}

    static String siteId(int i) {
        return "DC-%04d".formatted(i);
    }

    /** The street whose communities hold site {@code i} (1-based): DC-S01 .. DC-S10. */
    static String streetOf(int i) {
        return "DC-S%02d".formatted((i - 1) / 100 + 1);
    }

    static Scenario write(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("scenario.properties"), """
                name=storm-city
                title=东城演练市全员核酸检测
                timezone=Asia/Shanghai
                areaCode=110101
                retestShare=0.01
                poolSize=10
                minLat=39.80
                maxLat=40.10
                minLon=116.20
                maxLon=116.60
                levels=city,district,street,community
                planLevel=street
                targetCoverage=0.9
                deadline=2026-10-20T18:00
                """, StandardCharsets.UTF_8);
        StringBuilder areas = new StringBuilder("areaId,parentId,level,nameZh,name,kind,population,lat,lon\n");
        StringBuilder sites = new StringBuilder("siteId,areaId,name,samplers,lanes,capacityPerHour,lat,lon\n");
        areas.append("C,,city,演练市,Drill City,city,,39.95,116.40\n");
        areas.append("DC,C,district,东城区,Dongcheng,district,,39.93,116.42\n");
        int site = 0;
        for (int s = 1; s <= 10; s++) {
            String street = "DC-S%02d".formatted(s);
            areas.append("%s,DC,street,东城第%d街道,Dongcheng street %d,street,,39.93,116.42\n".formatted(street, s, s));
            for (int c = 1; c <= 10; c++) {
                String community = street + "-C%02d".formatted(c);
                areas.append("%s,%s,community,第%d街道第%d社区,Street %d community %d,community,1000,39.93,116.42\n"
                        .formatted(community, street, s, c, s, c));
                for (int k = 0; k < 10; k++) {
                    site++;
                    sites.append("%s,%s,东城第%d采样点,4,2,240,39.93,116.42\n".formatted(siteId(site), community, site));
                }
            }
        }
        areas.append("XC,C,district,西城区,Xicheng,district,,39.91,116.36\n");
        areas.append("XC-S01,XC,street,西城第1街道,Xicheng street 1,street,,39.91,116.36\n");
        areas.append("XC-S01-C01,XC-S01,community,西城第1社区,Xicheng community 1,community,1000,39.91,116.36\n");
        sites.append("XC-0001,XC-S01-C01,西城第1采样点,4,2,240,39.91,116.36\n");
        sites.append("XC-0002,XC-S01-C01,西城第2采样点,4,2,240,39.91,116.36\n");
        Files.writeString(dir.resolve("areas.csv"), areas, StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("sites.csv"), sites, StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("waves.csv"), "wave,date,opens,closes,persons\nday,2026-10-20,08:00,18:00,90000\n",
                StandardCharsets.UTF_8);
        return Scenario.load(dir.toString());
    }
}
