package dev.sweep.jobs.records;

/**
 * 64-bit hashes of the ids the job only needs to tell apart (scan, tube, sampler): FNV-1a over the
 * characters, then a SplitMix64 finaliser so that near-identical ids spread. Two ids collide with a
 * chance of about 2^-64 per pair compared; the job compares them only within one person or one
 * site-minute.
 */
public final class Ids {
    private Ids() {}

    public static long hash(CharSequence id) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < id.length(); i++) {
            h ^= id.charAt(i);
            h *= 0x100000001b3L;
        }
        h ^= h >>> 30;
        h *= 0xbf58476d1ce4e5b9L;
        h ^= h >>> 27;
        h *= 0x94d049bb133111ebL;
        return h ^ (h >>> 31);
    }
}
