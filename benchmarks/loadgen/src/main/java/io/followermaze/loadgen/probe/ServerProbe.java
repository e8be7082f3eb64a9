package io.followermaze.loadgen.probe;

/**
 * Measures what the server under test costs: CPU time consumed and peak resident memory. The run takes a
 * sample when streaming starts and one when it ends and reports the CPU difference.
 */
public interface ServerProbe {
    /** CPU nanoseconds used so far, and peak resident bytes (-1 when unknown). */
    record Sample(long cpuNanos, long peakRssBytes) {
    }

    ServerProbe NONE = new ServerProbe() {
        @Override
        public Sample sample() {
            return new Sample(-1, -1);
        }

        @Override
        public String describe() {
            return "not measured";
        }
    };

    Sample sample();

    /** How the figures are obtained, for the report. */
    String describe();
}
