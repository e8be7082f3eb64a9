/**
 * Snapshots: the state a restart needs ({@link io.followermaze.snapshot.Snapshot}: cursor, held events, follow graph,
 * journal position), captured on the pipeline thread by a flat copy, and its file format
 * ({@link io.followermaze.snapshot.SnapshotFile}: written atomically, read back only when its CRC holds).
 */
package io.followermaze.snapshot;
