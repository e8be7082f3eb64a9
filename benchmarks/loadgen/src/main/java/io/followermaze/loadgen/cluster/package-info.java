/**
 * A whole cluster on this machine for {@code demo --cluster N} and {@code cluster-bench}: a dev broker, one ingest
 * node and N fan-out nodes, each node a child process of the server jar ({@link io.followermaze.loadgen.cluster.NodeProcess}),
 * started on ports chosen by the OS and always torn down ({@link io.followermaze.loadgen.cluster.LocalCluster}).
 */
package io.followermaze.loadgen.cluster;
