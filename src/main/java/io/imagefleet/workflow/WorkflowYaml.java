package io.imagefleet.workflow;

import io.imagefleet.ImagefleetException;
import io.imagefleet.InputText;
import io.imagefleet.workflow.Workflow.CallOutput;
import io.imagefleet.workflow.Workflow.Input;
import io.imagefleet.workflow.Workflow.InputType;
import io.imagefleet.workflow.Workflow.Job;
import io.imagefleet.workflow.Workflow.Secret;
import io.imagefleet.workflow.Workflow.Step;
import io.imagefleet.workflow.Workflow.Strategy;
import io.imagefleet.workflow.Workflow.Triggers;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.comments.CommentLine;
import org.yaml.snakeyaml.comments.CommentType;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.representer.Representer;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * Reads workflow YAML into the {@link Workflow} model and writes the model back deterministically:
 * block style, no line wrapping, modelled keys in a fixed order with {@code steps} last, and
 * multi-line scripts as literal blocks.
 */
public final class WorkflowYaml {
  private static final String DISPATCH = "workflow_dispatch";
  private static final String CALL = "workflow_call";

  private WorkflowYaml() {}

  /** Parses workflow text; {@code source} names it in error messages. */
  public static Workflow read(String text, String source) {
    Object document;
    try {
      document = yaml().load(text);
    } catch (MarkedYAMLException e) {
      int line = e.getProblemMark() == null ? 0 : e.getProblemMark().getLine() + 1;
      throw invalid(source, "line " + line + ": not valid YAML: " + e.getProblem());
    } catch (YAMLException e) {
      throw invalid(source, "not valid YAML: " + firstLine(e.getMessage()));
    }
    if (!(document instanceof Map<?, ?>)) {
      throw invalid(source, "expected a mapping at the top level");
    }
    return readWorkflow(new YamlFields(document, source, ""));
  }

  /**
   * Writes the workflow after the header comment lines. {@code usesComment} gives the trailing
   * comment for a {@code uses:} value, e.g. the version a pinned SHA stands for.
   */
  public static String write(
      Workflow workflow, List<String> header, Function<String, Optional<String>> usesComment) {
    return dump(toMap(workflow), header, usesComment);
  }

  /** Any GitHub YAML document (ordered maps and lists) in the same deterministic style. */
  public static String dump(
      Map<String, Object> document,
      List<String> header,
      Function<String, Optional<String>> usesComment) {
    Yaml yaml = yaml();
    Node root = yaml.represent(document);
    annotateUses(root, usesComment);
    StringWriter out = new StringWriter();
    for (String line : header) {
      // A header line that broke would turn the rest of it into YAML.
      if (!InputText.isOneLine(line)) {
        throw new IllegalArgumentException("header line is not one line: " + InputText.quote(line));
      }
      out.append(line.isEmpty() ? "#" : "# " + line).append('\n');
    }
    yaml.serialize(root, out);
    return out.toString();
  }

  // ---- reading

  private static Workflow readWorkflow(YamlFields top) {
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

  // ---- writing

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
    m.put("steps", j.steps().stream().map(WorkflowYaml::stepToMap).toList());
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

  private static void annotateUses(Node node, Function<String, Optional<String>> usesComment) {
    if (node instanceof MappingNode mapping) {
      for (NodeTuple tuple : mapping.getValue()) {
        if (tuple.getKeyNode() instanceof ScalarNode key
            && key.getValue().equals("uses")
            && tuple.getValueNode() instanceof ScalarNode value) {
          usesComment
              .apply(value.getValue())
              .ifPresent(
                  comment ->
                      value.setInLineComments(
                          List.of(
                              new CommentLine(null, null, " " + comment, CommentType.IN_LINE))));
        }
        annotateUses(tuple.getValueNode(), usesComment);
      }
    } else if (node instanceof SequenceNode sequence) {
      sequence.getValue().forEach(item -> annotateUses(item, usesComment));
    }
  }

  // ---- snakeyaml set-up

  private static Yaml yaml() {
    DumperOptions dump = new DumperOptions();
    dump.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    dump.setWidth(Integer.MAX_VALUE);
    dump.setSplitLines(false);
    dump.setIndent(2);
    dump.setIndicatorIndent(2);
    dump.setIndentWithIndicator(true);
    dump.setProcessComments(true);
    LoaderOptions load = new LoaderOptions();
    load.setAllowDuplicateKeys(false);
    return new Yaml(
        new SafeConstructor(load), new ScriptRepresenter(dump), dump, load, new GithubResolver());
  }

  /** Literal blocks for multi-line strings, so scripts stay readable. */
  private static final class ScriptRepresenter extends Representer {
    /**
     * Words YAML 1.1 tools read as booleans; quoted so no reader mistakes them. {@code on} stays
     * plain: GitHub needs it as the trigger key.
     */
    private static final Pattern YAML11_BOOLEAN = Pattern.compile("(?i)y|n|yes|no|off");

    ScriptRepresenter(DumperOptions options) {
      super(options);
    }

    @Override
    protected Node representScalar(Tag tag, String value, DumperOptions.ScalarStyle style) {
      if (Tag.STR.equals(tag) && value.contains("\n")) {
        return super.representScalar(tag, value, DumperOptions.ScalarStyle.LITERAL);
      }
      if (Tag.STR.equals(tag) && YAML11_BOOLEAN.matcher(value).matches()) {
        return super.representScalar(tag, value, DumperOptions.ScalarStyle.SINGLE_QUOTED);
      }
      return super.representScalar(tag, value, style);
    }
  }

  /**
   * Booleans are only true/false, as GitHub reads them; YAML 1.1 would turn the {@code on:} key
   * (and yes/no/off) into booleans.
   */
  private static final class GithubResolver extends Resolver {
    private static final Pattern BOOLEAN =
        Pattern.compile("^(?:true|True|TRUE|false|False|FALSE)$");

    @Override
    protected void addImplicitResolvers() {
      addImplicitResolver(Tag.BOOL, BOOLEAN, "tTfF");
      addImplicitResolver(Tag.INT, INT, "-+0123456789");
      addImplicitResolver(Tag.FLOAT, FLOAT, "-+0123456789.");
      addImplicitResolver(Tag.NULL, NULL, "~nN\0");
      addImplicitResolver(Tag.NULL, EMPTY, null);
    }
  }

  // ---- reading helpers

  static ImagefleetException invalid(String source, String message) {
    return ImagefleetException.invalidInput(source + ": " + message);
  }

  private static String firstLine(String message) {
    return message == null ? "" : message.lines().findFirst().orElse("").strip();
  }
}
