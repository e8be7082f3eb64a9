/**
 * Rate sweeps: one fresh open-loop run per offered rate ({@link io.followermaze.loadgen.sweep.RateSweep}), each
 * against a fresh server process the sweep starts and stops ({@link io.followermaze.loadgen.sweep.ServerProcess})
 * or through the relay; the rows ({@link io.followermaze.loadgen.sweep.SweepRow}) as a table, as a CSV that later
 * sweeps can be plotted with ({@link io.followermaze.loadgen.sweep.SweepCsv}), and as a self-contained HTML
 * plot of latency against offered rate ({@link io.followermaze.loadgen.sweep.SweepPlot}).
 */
package io.followermaze.loadgen.sweep;
