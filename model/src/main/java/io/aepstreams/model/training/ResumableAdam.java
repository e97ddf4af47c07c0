package io.aepstreams.model.training;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Parameter;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.util.Pair;
import ai.djl.util.PairList;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * Adam with DJL's update and defaults (beta1 0.9, beta2 0.999, epsilon 1e-8, the same fused operator), whose moments
 * and step counts can be saved and restored: DJL's own Adam keeps them private, so a run stopped between epochs
 * could only restart its moments from zero. State is keyed by parameter name (ids are new in every process).
 */
final class ResumableAdam extends Optimizer {
  private static final float BETA1 = 0.9f;
  private static final float BETA2 = 0.999f;
  private static final float EPSILON = 1e-8f;

  private final float learningRate;
  private final Map<String, NDArray> means = new HashMap<>();
  private final Map<String, NDArray> variances = new HashMap<>();
  private final Map<String, Integer> steps = new HashMap<>();

  ResumableAdam(float learningRate) {
    super(new Builder());
    this.learningRate = learningRate;
  }

  @Override
  public void update(String parameterId, NDArray weight, NDArray grad) {
    int t = steps.merge(parameterId, 1, Integer::sum);
    double coef1 = 1.0 - Math.pow(BETA1, t);
    double coef2 = 1.0 - Math.pow(BETA2, t);
    float corrected = (float) (learningRate * Math.sqrt(coef2) / coef1);
    NDArray mean = means.computeIfAbsent(parameterId, id -> weight.zerosLike());
    NDArray variance = variances.computeIfAbsent(parameterId, id -> weight.zerosLike());
    weight.getNDArrayInternal().adamUpdate(new NDList(weight, grad, mean, variance), new NDList(weight), learningRate,
        corrected, getWeightDecay(), rescaleGrad, clipGrad, BETA1, BETA2, EPSILON, true, false);
  }

  /** The state of every parameter that has been updated, in {@code parameters}' order, by name. */
  void save(PairList<String, Parameter> parameters, DataOutputStream out) throws IOException {
    int count = 0;
    for (Pair<String, Parameter> p : parameters) {
      count += means.containsKey(p.getValue().getId()) ? 1 : 0;
    }
    out.writeInt(count);
    for (Pair<String, Parameter> p : parameters) {
      String id = p.getValue().getId();
      if (means.containsKey(id)) {
        out.writeUTF(p.getKey());
        out.writeInt(steps.get(id));
        write(out, means.get(id));
        write(out, variances.get(id));
      }
    }
  }

  /** Restores what {@link #save} wrote, onto the parameters of the same names. */
  void load(PairList<String, Parameter> parameters, DataInputStream in) throws IOException, MalformedModelException {
    Map<String, Parameter> byName = new HashMap<>();
    for (Pair<String, Parameter> p : parameters) {
      byName.put(p.getKey(), p.getValue());
    }
    int count = in.readInt();
    for (int i = 0; i < count; i++) {
      String name = in.readUTF();
      Parameter parameter = byName.get(name);
      if (parameter == null) {
        throw new MalformedModelException("the optimiser state names a parameter this network lacks: " + name);
      }
      NDArray weight = parameter.getArray();
      String id = parameter.getId();
      steps.put(id, in.readInt());
      replace(means, id, read(in, weight));
      replace(variances, id, read(in, weight));
    }
  }

  private static void replace(Map<String, NDArray> state, String id, NDArray value) {
    NDArray old = state.put(id, value);
    if (old != null) {
      old.close();
    }
  }

  private static void write(DataOutputStream out, NDArray array) throws IOException {
    byte[] bytes = array.encode();
    out.writeInt(bytes.length);
    out.write(bytes);
  }

  private static NDArray read(DataInputStream in, NDArray like) throws IOException, MalformedModelException {
    byte[] bytes = new byte[in.readInt()];
    in.readFully(bytes);
    NDArray array = NDArray.decode(like.getManager(), bytes);
    if (!array.getShape().equals(like.getShape())) {
      throw new MalformedModelException("optimiser state of shape " + array.getShape() + " for a parameter of shape "
          + like.getShape());
    }
    return array.toDevice(like.getDevice(), false);
  }

  private static final class Builder extends OptimizerBuilder<Builder> {
    @Override
    protected Builder self() {
      return this;
    }
  }
}
