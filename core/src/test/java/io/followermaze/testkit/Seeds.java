package io.followermaze.testkit;

/**
 * Seeds for randomized tests: fixed by default so that runs are reproducible, overridable with
 * {@code -Dfollowermaze.seed=N} to replay a failure (tests print the seed they used in their assertion messages)
 * or to explore new streams.
 */
public final class Seeds {
    /** System property that overrides every test's default seed. */
    public static final String SEED_PROP_NAME = "followermaze.seed";

    private Seeds() {
    }

    /** @return the seed from {@link #SEED_PROP_NAME} if set, else {@code defaultSeed} */
    public static long seed(long defaultSeed) {
        final String value = System.getProperty(SEED_PROP_NAME);
        return value == null || value.isBlank() ? defaultSeed : Long.parseLong(value.trim());
    }
}
