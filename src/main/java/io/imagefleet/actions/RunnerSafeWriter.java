package io.imagefleet.actions;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;

/**
 * The console every imagefleet command prints through, so that no line of data can become a
 * workflow command. A GitHub runner executes an output line that starts, after leading whitespace,
 * with {@code ::}, and the legacy form {@code ##[name]} anywhere in a line; it splits lines at
 * {@code \n} and at a lone {@code \r}. imagefleet prints instance ids, build log tails and error
 * messages that carry daemon and registry text, so each line is rewritten as it streams through,
 * however the writes split it:
 *
 * <ul>
 *   <li>a backslash goes before a leading {@code ::}: {@code \::set-output name=built::999};
 *   <li>a backslash goes before the bracket of {@code ##[}: {@code ##\[set-output name=a]b}.
 * </ul>
 *
 * The runner parses neither, a reader still sees the original text, and no invisible character is
 * involved. The rewrite applies on and off a runner: a step can run imagefleet through {@code
 * docker run} without {@code GITHUB_ACTIONS} reaching it, while the runner still reads the output.
 * Only {@link WorkflowCommands} writes real commands, through {@link #command}.
 */
public final class RunnerSafeWriter extends PrintWriter {
  private final Writer raw;
  private final LineGuard guard;

  private RunnerSafeWriter(Writer raw, LineGuard guard) {
    super(guard, true);
    this.raw = raw;
    this.guard = guard;
  }

  /** {@code target} itself when it already guards its lines, else a guarding writer around it. */
  public static RunnerSafeWriter of(Writer target) {
    if (target instanceof RunnerSafeWriter safe) {
      return safe;
    }
    return new RunnerSafeWriter(target, new LineGuard(target));
  }

  /** Writes one workflow command, unguarded, on a line of its own. */
  void command(String line) {
    if (line.indexOf('\n') >= 0 || line.indexOf('\r') >= 0) {
      throw new IllegalArgumentException("a workflow command is one line: " + line);
    }
    synchronized (lock) {
      try {
        guard.endLine();
        raw.write(line + "\n");
        raw.flush();
      } catch (IOException e) {
        setError();
      }
    }
  }

  /** The rewrite itself; it holds back at most a leading {@code :} it cannot decide on yet. */
  private static final class LineGuard extends Writer {
    private final Writer target;
    private boolean started; // something was written since the last line break
    private boolean leading = true; // only whitespace since the last line break
    private boolean pendingColon; // a leading ':' waiting to see whether a second follows
    private int hashes; // '#' just before the current position on this line

    LineGuard(Writer target) {
      this.target = target;
    }

    @Override
    public void write(char[] buffer, int offset, int length) throws IOException {
      synchronized (lock) {
        StringBuilder text = new StringBuilder(length + 4);
        for (int i = offset; i < offset + length; i++) {
          accept(buffer[i], text);
        }
        target.write(text.toString());
      }
    }

    private void accept(char c, StringBuilder text) {
      if (c == '\n' || c == '\r') {
        releaseColon(text);
        text.append(c);
        started = false;
        leading = true;
        hashes = 0;
        return;
      }
      started = true;
      if (pendingColon) {
        pendingColon = false;
        text.append(c == ':' ? "\\:" : ":");
      } else if (leading && !skippedByRunner(c)) {
        leading = false;
        if (c == ':') {
          pendingColon = true;
          return;
        }
      }
      if (c == '[' && hashes >= 2) {
        text.append('\\');
      }
      if (c == '#') {
        hashes++;
      } else if (Character.getType(c) != Character.FORMAT) {
        hashes = 0;
      }
      text.append(c);
    }

    /**
     * What the runner's {@code TrimStart} may skip before {@code ::}, and invisible format
     * characters, which .NET's culture-aware comparisons can ignore. Wider than needed is harmless.
     */
    private static boolean skippedByRunner(char c) {
      return Character.isWhitespace(c)
          || Character.isSpaceChar(c)
          || Character.isISOControl(c)
          || Character.getType(c) == Character.FORMAT;
    }

    private void releaseColon(StringBuilder text) {
      if (pendingColon) {
        pendingColon = false;
        text.append(':');
      }
    }

    /** Ends a partly written line, so that a command written next starts a line of its own. */
    void endLine() throws IOException {
      synchronized (lock) {
        if (started) {
          StringBuilder text = new StringBuilder();
          accept('\n', text);
          target.write(text.toString());
        }
      }
    }

    /** Passes on everything decided; a pending leading ':' stays until its line goes on. */
    @Override
    public void flush() throws IOException {
      target.flush();
    }

    @Override
    public void close() throws IOException {
      synchronized (lock) {
        StringBuilder text = new StringBuilder();
        releaseColon(text);
        target.write(text.toString());
        target.close();
      }
    }
  }
}
