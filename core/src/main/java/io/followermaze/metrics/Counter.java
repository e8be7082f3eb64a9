package io.followermaze.metrics;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A counter with one writing thread and any number of readers. The writer pays a plain store
 * (release semantics, no fence on x86); readers see a recent value without tearing.
 */
public final class Counter {
    private static final VarHandle VALUE;

    static {
        try {
            VALUE = MethodHandles.lookup().findVarHandle(Counter.class, "value", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private long value;

    /** Writer thread only. */
    public void increment() {
        VALUE.setRelease(this, value + 1);
    }

    /** Writer thread only. */
    public void add(long delta) {
        VALUE.setRelease(this, value + delta);
    }

    /** Writer thread only. */
    public void set(long newValue) {
        VALUE.setRelease(this, newValue);
    }

    /** Any thread. */
    public long get() {
        return (long) VALUE.getAcquire(this);
    }

    @Override
    public String toString() {
        return Long.toString(get());
    }
}
