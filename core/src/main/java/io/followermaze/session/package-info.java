/**
 * Connected clients as the pipeline sees them: {@link io.followermaze.session.ClientSession}, a user id and a
 * {@code deliver} method whose implementation (the server's egress, a test or benchmark sink) decides where the
 * bytes go, and {@link io.followermaze.session.SessionTable}, user id to that user's sessions plus a dense array
 * of all of them for broadcasts.
 * <p>
 * Threads: owned by the one pipeline thread. Registrations and unregistrations reach it through the ingress ring,
 * so a connection takes effect in arrival order relative to events; {@code deliver} and {@code onUnregistered}
 * are called on that thread.
 */
package io.followermaze.session;
