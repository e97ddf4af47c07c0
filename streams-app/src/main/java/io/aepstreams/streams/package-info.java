/**
 * The Kafka Streams application that classifies images stage by stage with early exits (docs/design.md §4-§6).
 * Built in issue 4.
 */
package io.aepstreams.streams;
