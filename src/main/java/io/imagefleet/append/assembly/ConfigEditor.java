package io.imagefleet.append.assembly;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.imagefleet.append.dockerfile.AppendPlan;
import io.imagefleet.append.dockerfile.Dockerfile;
import io.imagefleet.append.dockerfile.KeyValues;
import io.imagefleet.append.dockerfile.NotAppendable;
import io.imagefleet.append.dockerfile.PosixPaths;
import io.imagefleet.append.dockerfile.ShellWords;
import io.imagefleet.append.layer.OwnedParents;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a base image's config into the appended image's, as Docker's builder would: the layer's
 * diff ID and one history entry per instruction appended, ENV (values expanded against the base's
 * environment, so {@code PATH=/opt/agent/bin:$PATH} works), LABEL, WORKDIR (relative to the one
 * before), USER, ENTRYPOINT (which drops an inherited CMD), CMD (shell forms through SHELL),
 * EXPOSE, STOPSIGNAL and SHELL applied in order; then the OCI labels for the SDK revision and the
 * base.
 */
final class ConfigEditor {
  static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final Pattern PORT = Pattern.compile("(\\d+)(?:-(\\d+))?(?:/(tcp|udp|sctp))?");

  /** The base as the labels name it: a full reference and its platform manifest's digest. */
  record Base(String name, String digest) {}

  private final AppendPlan plan;

  ConfigEditor(AppendPlan plan) {
    this.plan = plan;
  }

  /**
   * The new config; {@code baseConfig} is left alone. {@code diffId} is empty when the stage copies
   * nothing (then no layer is added, as Docker adds none).
   */
  /**
   * One history entry; the first COPY or ADD carries the layer (when {@code mayCarry}), every other
   * entry is empty. Returns whether this one carries it.
   */
  private static boolean record(
      ObjectNode entry, Dockerfile.Instruction instruction, Instant created, boolean mayCarry) {
    entry.put("created", created.toString());
    entry.put("created_by", instruction.text() + " # imagefleet append");
    boolean copies = instruction.keyword().equals("COPY") || instruction.keyword().equals("ADD");
    if (copies && mayCarry) {
      entry.put("comment", "one layer for all COPY and ADD lines of the stage");
      return true;
    }
    entry.put("empty_layer", true);
    return false;
  }

  /** The SDK revision (when known) and the base, as OCI annotation keys. */
  private void ociLabels(ObjectNode labels, Base base) {
    String revision = plan.buildArgs().getOrDefault("SDK_COMMIT", "");
    if (!revision.isEmpty()) {
      labels.put("org.opencontainers.image.revision", revision);
    }
    labels.put("org.opencontainers.image.base.name", base.name());
    labels.put("org.opencontainers.image.base.digest", base.digest());
  }

  ObjectNode apply(ObjectNode baseConfig, Base base, Optional<String> diffId, Instant created) {
    return apply(baseConfig, base, Optional.empty(), diffId, created);
  }

  /**
   * As above, with the image's own layer of {@link OwnedParents} (when its base lacks some of them)
   * below the agent layer.
   */
  ObjectNode apply(
      ObjectNode baseConfig,
      Base base,
      Optional<String> parentsDiffId,
      Optional<String> diffId,
      Instant created) {
    ObjectNode image = baseConfig.deepCopy();
    ObjectNode config =
        image.path("config").isObject()
            ? (ObjectNode) image.get("config")
            : image.putObject("config");
    State state = new State(config, base.name());
    ArrayNode history = array(image, "history");
    boolean layerTold = false;
    parentsDiffId.ifPresent(
        id -> {
          ObjectNode entry = history.addObject();
          entry.put("created", created.toString());
          entry.put(
              "created_by", "parent directories of COPY --chown destinations # imagefleet append");
          entry.put("comment", "the directories this base lacks, owned as --chown says");
          array(object(image, "rootfs"), "diff_ids").add(id);
        });
    for (Dockerfile.Instruction instruction : plan.instructions()) {
      state.apply(instruction);
      layerTold |=
          record(history.addObject(), instruction, created, diffId.isPresent() && !layerTold);
    }
    diffId.ifPresent(id -> array(object(image, "rootfs"), "diff_ids").add(id));
    object(image, "rootfs").put("type", "layers");
    ociLabels(object(config, "Labels"), base);
    image.put("created", created.toString());
    // They describe how the base's last layer was made, not this image.
    image.remove("container");
    image.remove("container_config");
    return image;
  }

  /** The stage as the builder walks it: ARGs in scope, the config being edited. */
  private final class State {
    private final ObjectNode config;
    private final Map<String, String> buildArgs;
    private final Map<String, Optional<String>> globals;
    private final Map<String, Optional<String>> args = new HashMap<>();
    private final Map<String, String> env = new LinkedHashMap<>();
    private boolean cmdSet;

    State(ObjectNode config, String baseImage) {
      this.config = config;
      this.buildArgs = new HashMap<>(plan.buildArgs());
      buildArgs.put("BASE_IMAGE", baseImage);
      this.globals = new HashMap<>(plan.globalArgs());
      if (globals.containsKey("BASE_IMAGE")) {
        globals.put("BASE_IMAGE", Optional.of(baseImage));
      }
      for (JsonNode variable : config.path("Env")) {
        String pair = variable.asText();
        int eq = pair.indexOf('=');
        env.put(eq < 0 ? pair : pair.substring(0, eq), eq < 0 ? "" : pair.substring(eq + 1));
      }
      if (!env.containsKey("PATH")) {
        // BuildKit gives an image without PATH (FROM scratch, say) the default one.
        env.put("PATH", DEFAULT_PATH);
        writeEnv();
      }
    }

    private void writeEnv() {
      ArrayNode list = config.putArray("Env");
      env.forEach((k, v) -> list.add(k + "=" + v));
    }

    void apply(Dockerfile.Instruction instruction) {
      char escape = plan.escape();
      switch (instruction.keyword()) {
        case "ARG" -> AppendPlan.declareArgs(instruction, escape, buildArgs, globals, args);
        case "ENV" -> env(instruction, escape);
        case "LABEL" -> {
          ObjectNode labels = object(config, "Labels");
          KeyValues.parse(instruction, escape).forEach((k, v) -> labels.put(expand(k), expand(v)));
        }
        case "WORKDIR" -> {
          String current = config.path("WorkingDir").asText("");
          String dir = expand(instruction.arguments());
          config.put("WorkingDir", PosixPaths.resolve(current.isEmpty() ? "/" : current, dir));
        }
        case "USER" -> config.put("User", expand(instruction.arguments()));
        case "STOPSIGNAL" -> config.put("StopSignal", expand(instruction.arguments()));
        case "SHELL" ->
            config.set(
                "Shell",
                strings(
                    instruction
                        .json()
                        .orElseThrow(
                            () -> NotAppendable.at(instruction, "SHELL needs the JSON form"))));
        case "ENTRYPOINT" -> {
          config.set("Entrypoint", strings(command(instruction)));
          if (!cmdSet) {
            config.putNull("Cmd");
          }
        }
        case "CMD" -> {
          config.set("Cmd", strings(command(instruction)));
          cmdSet = true;
        }
        case "EXPOSE" -> expose(instruction, escape);
        default -> {
          // COPY and ADD: the layer holds them.
        }
      }
    }

    /** ENV values read the environment from before the instruction, as Docker's do. */
    private void env(Dockerfile.Instruction instruction, char escape) {
      Map<String, String> values = new LinkedHashMap<>();
      KeyValues.parse(instruction, escape).forEach((k, v) -> values.put(k, expand(v)));
      env.putAll(values);
      writeEnv();
    }

    private void expose(Dockerfile.Instruction instruction, char escape) {
      ObjectNode ports = object(config, "ExposedPorts");
      for (String word : ShellWords.split(instruction.arguments(), escape)) {
        exposed(instruction, expand(word)).forEach(port -> ports.putObject(port));
      }
    }

    private List<String> command(Dockerfile.Instruction instruction) {
      if (instruction.json().isPresent()) {
        return instruction.json().get();
      }
      List<String> command = new ArrayList<>();
      JsonNode shell = config.path("Shell");
      if (shell.isArray() && !shell.isEmpty()) {
        shell.forEach(part -> command.add(part.asText()));
      } else {
        command.addAll(List.of("/bin/sh", "-c"));
      }
      command.add(instruction.arguments());
      return command;
    }

    private String expand(String word) {
      return ShellWords.expand(
          word,
          plan.escape(),
          name ->
              env.containsKey(name)
                  ? Optional.of(env.get(name))
                  : args.getOrDefault(name, Optional.empty()));
    }
  }

  private static List<String> exposed(Dockerfile.Instruction instruction, String spec) {
    Matcher matcher = PORT.matcher(spec);
    if (!matcher.matches()) {
      throw NotAppendable.at(instruction, "EXPOSE " + spec + " is not a port[/tcp|udp|sctp]");
    }
    int first = Integer.parseInt(matcher.group(1));
    int last = matcher.group(2) == null ? first : Integer.parseInt(matcher.group(2));
    String protocol = matcher.group(3) == null ? "tcp" : matcher.group(3);
    List<String> ports = new ArrayList<>();
    for (int port = first; port <= last; port++) {
      ports.add(port + "/" + protocol);
    }
    return ports;
  }

  private static ArrayNode strings(List<String> values) {
    ArrayNode array = NODES.arrayNode();
    values.forEach(array::add);
    return array;
  }

  private static ObjectNode object(ObjectNode parent, String field) {
    return parent.path(field).isObject() ? (ObjectNode) parent.get(field) : parent.putObject(field);
  }

  private static ArrayNode array(ObjectNode parent, String field) {
    return parent.path(field).isArray() ? (ArrayNode) parent.get(field) : parent.putArray(field);
  }
}
