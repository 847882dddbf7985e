/**
 * Rooms: groups of connections that hear the same messages, in one order, on one node or across
 * several. {@link io.socketlet.rooms.Rooms} holds an application's rooms over a
 * {@link io.socketlet.rooms.Broker} ({@link io.socketlet.rooms.LocalBroker} in one JVM, Redis for
 * several nodes); a {@link io.socketlet.rooms.Room} joins, names and removes members, broadcasts
 * (encoded once), applies its slow-member policy and replays what a resuming member missed. See
 * {@code docs/rooms.md}.
 */
package io.socketlet.rooms;
