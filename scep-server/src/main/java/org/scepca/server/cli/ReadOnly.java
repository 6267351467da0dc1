package org.scepca.server.cli;

/**
 * Marks a command that only reads ({@link DataOptions#read()}): {@link Main} then registers no crypto provider (Amazon
 * Corretto and Bouncy Castle cost a third of a second to load and are not needed to print what the store holds), and
 * the launcher runs it with a JVM tuned for a short life.
 */
interface ReadOnly {
}
