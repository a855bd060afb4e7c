package io.imagefleet.workflow;

import io.imagefleet.InputText;
import java.io.StringWriter;
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
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.representer.Representer;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * snakeyaml set up as GitHub reads YAML (booleans only true/false) and to emit deterministically:
 * block style, no line wrapping, multi-line strings as literal blocks, comments after {@code
 * uses:}.
 */
final class GithubYaml {
  private GithubYaml() {}

  /** Parses one document into plain maps, lists and scalars; duplicate keys are an error. */
  static Object load(String text) {
    return yaml().load(text);
  }

  /** The document after the header comment lines. */
  static String dump(
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
}
