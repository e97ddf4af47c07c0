package io.aepstreams.streams.topics;

import java.util.List;

/** An instance's topics are missing or mis-sized; the message is one line that says which and how to fix it. */
public class TopicsNotReadyException extends IllegalStateException {
  private final transient List<TopicAdmin.Problem> problems;

  public TopicsNotReadyException(List<TopicAdmin.Problem> problems, String fix) {
    super(problems.get(0) + (problems.size() > 1 ? " (and " + (problems.size() - 1) + " more problem"
        + (problems.size() > 2 ? "s" : "") + ")" : "") + "; " + fix);
    this.problems = List.copyOf(problems);
  }

  public List<TopicAdmin.Problem> problems() {
    return problems;
  }
}
