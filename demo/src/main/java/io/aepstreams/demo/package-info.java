/**
 * The one-command demo and the benchmark: an in-JVM broker, the Fashion-MNIST test images, a model, the pipeline,
 * and what they measure. Not part of the production distribution.
 */
package io.aepstreams.demo;
