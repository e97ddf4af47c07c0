package io.aepstreams.model.prune;

/** A subset's top-1 accuracy (0..1) on the images it was scored on. */
public record SubsetScore(ExitSubset subset, double accuracy) {}
