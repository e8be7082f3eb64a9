/**
 * The input journal (issue 10): a Disruptor stage ahead of sequence-route that appends every event-lines ring entry to
 * an append-only, segmented file journal ({@link io.followermaze.journal.JournalFormat}) before anything is routed,
 * and the recovery that replays it at start ({@link io.followermaze.journal.Journal}).
 */
package io.followermaze.journal;
