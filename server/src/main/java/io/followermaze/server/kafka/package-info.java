/**
 * The cluster roles on Apache Kafka ({@code --role ingest|fanout}): the only code that touches Kafka classes,
 * reached only through {@link io.followermaze.server.kafka.KafkaRoles}, so that the single node ({@code --role all})
 * never loads a Kafka class.
 */
package io.followermaze.server.kafka;
