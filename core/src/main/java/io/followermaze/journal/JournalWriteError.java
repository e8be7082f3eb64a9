package io.followermaze.journal;

import java.io.IOException;

/**
 * The journal could not write (disk full, I/O error) or force its input. An {@link Error}, so that the pipeline treats
 * it as fatal: routing input that is not in the journal would break the promise that everything routed survives a
 * restart, so the pipeline stops, {@code /health} says DOWN and {@code serve} exits with status 70. Input the stage
 * had not yet written is lost with the process; sources resend from the cursor after the restart.
 */
public final class JournalWriteError extends Error {
    public JournalWriteError(String message, IOException cause) {
        super(message + ": " + cause, cause);
    }
}
