/**
 * The AEP model library (docs/design.md §1 and §3): backbones split into stages with an exit head after each,
 * the weight schemes, the ensemble and the exit-subset pruning, the exit policy, cost accounting and the model
 * bundle. Built in issue 3; depends on DJL only, never on Kafka.
 */
package io.aepstreams.model;
