/**
 * The offline trainer CLI (train, evaluate, prune, calibrate, compare, bench) that writes AEP model bundles.
 * Built in issue 3.
 */
package io.aepstreams.trainer;
