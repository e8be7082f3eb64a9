/**
 * The latency floor: a relay that copies the event stream straight to one client, no parsing, no
 * resequencing, and the paced run through it, measured exactly as a server run is.
 */
package io.followermaze.loadgen.relay;
