/**
 * What a producer does before the ring: {@link io.followermaze.ingress.LineFramer} cuts a source's byte stream into
 * entries of whole lines (holding one unfinished line at most) and publishes them through the pipeline's
 * {@link io.followermaze.pipeline.IngressPublisher}; {@link io.followermaze.ingress.ByteInput} is the input it reads,
 * a Netty buffer in the server, a byte array elsewhere.
 */
package io.followermaze.ingress;
