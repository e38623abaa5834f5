package dev.sweep.testkit;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Records made to hurt a reader, as a hostile or broken station would send them: a good record's bytes with
 * bits flipped, cut short, grown, overwritten, or given a length prefix that claims gigabytes. Seeded: the
 * same random source gives the same mutants.
 */
public final class Mutants {
    private Mutants() {}

    /** One mutation of {@code good}, chosen at random. */
    public static byte[] mutate(byte[] good, SplittableRandom rng) {
        byte[] m = good.clone();
        switch (rng.nextInt(5)) {
            case 0 -> {
                for (int f = 1 + rng.nextInt(4); f > 0; f--) {
                    int bit = rng.nextInt(m.length * 8);
                    m[bit / 8] ^= (byte) (1 << (bit % 8));
                }
            }
            case 1 -> m = Arrays.copyOf(m, rng.nextInt(m.length));
            case 2 -> {
                byte[] more = new byte[1 + rng.nextInt(40)];
                rng.nextBytes(more);
                m = concat(m, more);
            }
            case 3 -> {
                int at = rng.nextInt(m.length);
                for (int k = at; k < Math.min(m.length, at + 1 + rng.nextInt(8)); k++) {
                    m[k] = (byte) rng.nextInt(256);
                }
            }
            default -> m = hugeLengthAt(m, Math.min(m.length, 10 + rng.nextInt(Math.max(1, m.length - 10))));
        }
        return m;
    }

    /** The byte at {@code at} replaced by a varint claiming about 2 GB (2,147,483,647 once unzigzagged). */
    public static byte[] hugeLengthAt(byte[] good, int at) {
        byte[] huge = {(byte) 0xfe, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0x0f};
        return concat(concat(Arrays.copyOf(good, at), huge), Arrays.copyOfRange(good, Math.min(good.length, at + 1), good.length));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
