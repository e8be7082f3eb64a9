package io.followermaze.resequencer;

import io.followermaze.protocol.Event;

/** Receives events from the {@link Resequencer} in strict sequence order, each exactly once. */
@FunctionalInterface
public interface InOrderHandler {
    /** @param event a flyweight valid only for the duration of the call */
    void onInOrder(Event event);
}
