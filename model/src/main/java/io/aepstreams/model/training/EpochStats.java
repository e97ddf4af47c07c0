package io.aepstreams.model.training;

import java.util.List;

/**
 * One epoch: training loss and speed, validation loss, each exit's validation accuracy and the ensemble's (all
 * exits, b-weighted).
 */
public record EpochStats(
    int epoch,
    double trainLoss,
    double imagesPerSecond,
    double validationLoss,
    List<Double> exitAccuracies,
    double ensembleAccuracy,
    double seconds) {}
