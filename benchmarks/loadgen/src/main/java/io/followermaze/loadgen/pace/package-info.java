/**
 * Open-loop pacing: the {@link io.followermaze.loadgen.pace.Schedule} says when each batch of the stream is due
 * and, for any seq, when its event was due, so that a notification's latency is measured from the event's
 * scheduled send time (corrected for coordinated omission), whatever the server or the source did meanwhile;
 * the {@link io.followermaze.loadgen.pace.PaceClock} is the time source, faked in tests.
 */
package io.followermaze.loadgen.pace;
