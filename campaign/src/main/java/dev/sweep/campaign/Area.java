package dev.sweep.campaign;

import java.io.Serializable;

/**
 * One area of a campaign's tree (county, township, village; or city, district, street, community): who lives
 * there and where its seat is. The root has no parent; an inner area's population is its children's sum.
 */
public record Area(String id, String parentId, String level, String nameZh, String name, String kind, long population,
                   double lat, double lon) implements Serializable {
    public boolean isRoot() {
        return parentId == null;
    }
}
