package dev.sweep.producers.simulator;

import dev.sweep.schemas.EventChecks;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.LocalDate;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The synthetic resident register and the station-side keyed hash. Residents are numbered across the
 * campaign (the residents of one leaf area, a village or community, in a row: {@link Residence}); resident
 * {@code n} has one ID number (a bijection, so distinct residents never share a key), and stations send only
 * {@code HMAC-SHA256(stationKey, id)}, first 128 bits in hex.
 */
final class Residents {
    // Birth dates over 100 years times 1000 sequence numbers; the multiplier is coprime with it,
    // so resident -> (date, sequence) is one-to-one for the first SPACE residents.
    private static final long SPACE = 36_500L * 1000L;
    private static final long MULTIPLIER = 7_919_333L;
    private static final LocalDate FIRST_BIRTHDAY = LocalDate.of(1922, 6, 1);
    /** The most residents one register numbers without two sharing an ID number. */
    static final long CAPACITY = SPACE;

    private final String areaCode;
    private final Mac mac;
    private final HexFormat hex = HexFormat.of();

    Residents(String areaCode, String stationKey) {
        this.areaCode = areaCode;
        try {
            mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(stationKey.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    /** The 18-character ID number of resident {@code n}. */
    String idNumber(long n) {
        long code = Math.floorMod(n * MULTIPLIER + 12_345L, SPACE);
        LocalDate birth = FIRST_BIRTHDAY.plusDays(code / 1000);
        String first17 = areaCode + birth.getYear() + SiteWave.padded(birth.getMonthValue(), 2)
                + SiteWave.padded(birth.getDayOfMonth(), 2) + SiteWave.padded(code % 1000, 3);
        return first17 + EventChecks.idCheckCharacter(first17);
    }

    /** What the station sends instead of the ID number. */
    String personKey(long n) {
        byte[] digest = mac.doFinal(idNumber(n).getBytes(StandardCharsets.US_ASCII));
        return hex.formatHex(digest, 0, 16);
    }
}
