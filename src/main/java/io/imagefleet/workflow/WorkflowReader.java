package io.imagefleet.workflow;

import io.imagefleet.workflow.Workflow.CallOutput;
import io.imagefleet.workflow.Workflow.Input;
import io.imagefleet.workflow.Workflow.InputType;
import io.imagefleet.workflow.Workflow.Job;
import io.imagefleet.workflow.Workflow.Secret;
import io.imagefleet.workflow.Workflow.Step;
import io.imagefleet.workflow.Workflow.Strategy;
import io.imagefleet.workflow.Workflow.Triggers;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Turns a parsed workflow document into the {@link Workflow} model; unknown keys are kept. */
final class WorkflowReader {
  static final String DISPATCH = "workflow_dispatch";
  static final String CALL = "workflow_call";

  private WorkflowReader() {}

  static Workflow read(YamlFields top) {
    String name = top.string("name");
    Triggers on = readTriggers(top.fields("on"));
    Map<String, Object> permissions = top.map("permissions");
    Map<String, Object> concurrency = top.map("concurrency");
    Map<String, Object> env = top.map("env");
    YamlFields jobsFields = top.fields("jobs");
    Map<String, Job> jobs = new LinkedHashMap<>();
    for (String id : jobsFields.keys()) {
      jobs.put(id, readJob(jobsFields.fields(id)));
    }
    return new Workflow(name, on, permissions, concurrency, env, jobs, top.rest());
  }

  private static Triggers readTriggers(YamlFields on) {
    YamlFields dispatch = on.fields(DISPATCH);
    YamlFields call = on.fields(CALL);
    List<Input> inputs = readInputs(call.fields("inputs"), dispatch.fields("inputs"));
    dispatch.requireConsumed();
    YamlFields secretsFields = call.fields("secrets");
    Map<String, Secret> secrets = new LinkedHashMap<>();
    for (String id : secretsFields.keys()) {
      YamlFields secret = secretsFields.fields(id);
      secrets.put(id, new Secret(secret.string("description"), secret.bool("required", false)));
      secret.requireConsumed();
    }
    YamlFields outputsFields = call.fields("outputs");
    Map<String, CallOutput> outputs = new LinkedHashMap<>();
    for (String id : outputsFields.keys()) {
      YamlFields output = outputsFields.fields(id);
      outputs.put(id, new CallOutput(output.string("description"), output.string("value")));
      output.requireConsumed();
    }
    call.requireConsumed();
    return new Triggers(inputs, secrets, outputs, on.rest());
  }

  /**
   * Inputs are typed by {@code workflow_call}; {@code workflow_dispatch} adds choices, and inputs
   * only it declares are taken as they are.
   */
  private static List<Input> readInputs(YamlFields callInputs, YamlFields dispatchInputs) {
    Map<String, Input> inputs = new LinkedHashMap<>();
    for (String id : callInputs.keys()) {
      inputs.put(id, readInput(id, callInputs.fields(id)));
    }
    for (String id : dispatchInputs.keys()) {
      Input dispatched = readInput(id, dispatchInputs.fields(id));
      Input called = inputs.get(id);
      if (called == null) {
        inputs.put(id, dispatched);
      } else if (dispatched.type() == InputType.CHOICE) {
        inputs.put(
            id,
            new Input(
                id,
                called.description(),
                InputType.CHOICE,
                called.defaultValue(),
                dispatched.options()));
      }
    }
    return List.copyOf(inputs.values());
  }

  private static Input readInput(String id, YamlFields input) {
    String typeName = Optional.ofNullable(input.string("type")).orElse("string");
    InputType type =
        java.util.Arrays.stream(InputType.values())
            .filter(t -> t.typeName().equals(typeName))
            .findFirst()
            .orElseThrow(() -> input.error("type", "unknown input type '" + typeName + "'"));
    input.bool("required", false);
    Object defaultValue = input.scalar("default");
    List<String> options = input.list("options").stream().map(String::valueOf).toList();
    String description = input.string("description");
    input.requireConsumed();
    return new Input(id, description, type, defaultValue, options);
  }

  private static Job readJob(YamlFields job) {
    String name = job.string("name");
    Object needsValue = job.scalarOrList("needs");
    List<String> needs =
        needsValue == null
            ? List.of()
            : needsValue instanceof List<?> list
                ? list.stream().map(String::valueOf).toList()
                : List.of(String.valueOf(needsValue));
    String condition = job.string("if");
    Object runsOn = job.scalarOrList("runs-on");
    Object timeout = job.scalar("timeout-minutes");
    Strategy strategy = null;
    if (job.has("strategy")) {
      YamlFields s = job.fields("strategy");
      Boolean failFast = s.has("fail-fast") ? s.bool("fail-fast", true) : null;
      Integer maxParallel = s.has("max-parallel") ? s.integer("max-parallel") : null;
      strategy = new Strategy(failFast, maxParallel, s.map("matrix"));
      s.requireConsumed();
    }
    Map<String, String> outputs = new LinkedHashMap<>();
    job.map("outputs").forEach((k, v) -> outputs.put(k, String.valueOf(v)));
    Map<String, Object> env = job.map("env");
    YamlFields stepsList = job.listFields("steps");
    List<Step> steps = new ArrayList<>();
    for (YamlFields step : stepsList.items()) {
      steps.add(readStep(step));
    }
    return new Job(
        name, needs, condition, runsOn, timeout, strategy, outputs, env, steps, job.rest());
  }

  private static Step readStep(YamlFields step) {
    return new Step(
        step.string("name"),
        step.string("id"),
        step.string("if"),
        step.string("uses"),
        step.map("with"),
        step.map("env"),
        step.string("shell"),
        step.string("run"),
        step.rest());
  }
}
