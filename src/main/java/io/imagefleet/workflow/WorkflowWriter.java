package io.imagefleet.workflow;

import static io.imagefleet.workflow.WorkflowReader.CALL;
import static io.imagefleet.workflow.WorkflowReader.DISPATCH;

import io.imagefleet.workflow.Workflow.Input;
import io.imagefleet.workflow.Workflow.InputType;
import io.imagefleet.workflow.Workflow.Job;
import io.imagefleet.workflow.Workflow.Step;
import io.imagefleet.workflow.Workflow.Triggers;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns the {@link Workflow} model into ordered maps: modelled keys in a fixed order, kept keys
 * after them, {@code steps} last; empty values left out.
 */
final class WorkflowWriter {
  private WorkflowWriter() {}

  static Map<String, Object> toMap(Workflow w) {
    Map<String, Object> m = new LinkedHashMap<>();
    put(m, "name", w.name());
    m.put("on", triggersToMap(w.on()));
    put(m, "permissions", w.permissions());
    put(m, "concurrency", w.concurrency());
    put(m, "env", w.env());
    m.putAll(w.extra());
    Map<String, Object> jobs = new LinkedHashMap<>();
    w.jobs().forEach((id, job) -> jobs.put(id, jobToMap(job)));
    m.put("jobs", jobs);
    return m;
  }

  private static Map<String, Object> triggersToMap(Triggers t) {
    Map<String, Object> on = new LinkedHashMap<>();
    Map<String, Object> dispatch = new LinkedHashMap<>();
    put(dispatch, "inputs", inputsToMap(t.inputs(), false));
    on.put(DISPATCH, dispatch);
    Map<String, Object> call = new LinkedHashMap<>();
    put(call, "inputs", inputsToMap(t.inputs(), true));
    Map<String, Object> secrets = new LinkedHashMap<>();
    t.callSecrets()
        .forEach(
            (id, s) -> {
              Map<String, Object> secret = new LinkedHashMap<>();
              put(secret, "description", s.description());
              secret.put("required", s.required());
              secrets.put(id, secret);
            });
    put(call, "secrets", secrets);
    Map<String, Object> outputs = new LinkedHashMap<>();
    t.callOutputs()
        .forEach(
            (id, o) -> {
              Map<String, Object> output = new LinkedHashMap<>();
              put(output, "description", o.description());
              put(output, "value", o.value());
              outputs.put(id, output);
            });
    put(call, "outputs", outputs);
    on.put(CALL, call);
    on.putAll(t.otherEvents());
    return on;
  }

  private static Map<String, Object> inputsToMap(List<Input> inputs, boolean forCall) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (Input input : inputs) {
      Map<String, Object> i = new LinkedHashMap<>();
      put(i, "description", input.description());
      i.put("required", false);
      i.put("type", forCall ? input.type().callName() : input.type().dispatchName());
      Object value = input.defaultValue();
      boolean asText = !forCall && input.type() == InputType.NUMBER && value != null;
      put(i, "default", asText ? String.valueOf(value) : value);
      if (!forCall && input.type() == InputType.CHOICE) {
        i.put("options", input.options());
      }
      m.put(input.name(), i);
    }
    return m;
  }

  private static Map<String, Object> jobToMap(Job j) {
    Map<String, Object> m = new LinkedHashMap<>();
    put(m, "name", j.name());
    if (!j.needs().isEmpty()) {
      m.put("needs", j.needs().size() == 1 ? j.needs().get(0) : j.needs());
    }
    put(m, "if", j.condition());
    put(m, "runs-on", j.runsOn());
    put(m, "timeout-minutes", j.timeoutMinutes());
    if (j.strategy() != null) {
      Map<String, Object> s = new LinkedHashMap<>();
      put(s, "fail-fast", j.strategy().failFast());
      put(s, "max-parallel", j.strategy().maxParallel());
      put(s, "matrix", j.strategy().matrix());
      m.put("strategy", s);
    }
    put(m, "outputs", j.outputs());
    put(m, "env", j.env());
    m.putAll(j.extra());
    m.put("steps", j.steps().stream().map(WorkflowWriter::stepToMap).toList());
    return m;
  }

  private static Map<String, Object> stepToMap(Step s) {
    Map<String, Object> m = new LinkedHashMap<>();
    put(m, "name", s.name());
    put(m, "id", s.id());
    put(m, "if", s.condition());
    m.putAll(s.extra());
    put(m, "uses", s.uses());
    put(m, "with", s.with());
    put(m, "env", s.env());
    put(m, "shell", s.shell());
    put(m, "run", s.run());
    return m;
  }

  private static void put(Map<String, Object> m, String key, Object value) {
    if (value == null || (value instanceof Map<?, ?> map && map.isEmpty())) {
      return;
    }
    m.put(key, value);
  }
}
