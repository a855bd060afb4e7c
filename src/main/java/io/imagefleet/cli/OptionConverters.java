package io.imagefleet.cli;

import io.imagefleet.Benchmark;
import io.imagefleet.InputText;
import io.imagefleet.docker.CacheMode;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** picocli converters whose messages quote the value on one line (it may come from an input). */
final class OptionConverters {
  private OptionConverters() {}

  static final class BenchmarkConverter implements ITypeConverter<Benchmark> {
    @Override
    public Benchmark convert(String value) {
      return Benchmark.byId(value)
          .filter(Benchmark.withWorkflows()::contains)
          .orElseThrow(
              () ->
                  new TypeConversionException(
                      "unknown benchmark "
                          + InputText.quote(value)
                          + "; use swe-bench or swt-bench"
                          + nearest(value)));
    }

    /** The benchmark, or generate's retention subcommand, one or two edits from the value. */
    private static String nearest(String value) {
      String best = null;
      int distance = 3;
      for (String name : java.util.List.of("swe-bench", "swt-bench", "retention")) {
        int d = Suggestion.distance(value, name);
        if (d < distance) {
          best = name;
          distance = d;
        }
      }
      return best == null ? "" : " (did you mean '" + best + "'?)";
    }
  }

  /** As picocli's own, but the value is quoted on one line (it may come from an action input). */
  static final class WholeNumberConverter implements ITypeConverter<Integer> {
    @Override
    public Integer convert(String value) {
      try {
        return Integer.valueOf(value);
      } catch (NumberFormatException e) {
        throw new TypeConversionException(InputText.quote(value) + " is not an int");
      }
    }
  }

  static final class CacheModeConverter implements ITypeConverter<CacheMode> {
    @Override
    public CacheMode convert(String value) {
      return CacheMode.byId(value)
          .orElseThrow(
              () ->
                  new TypeConversionException(
                      "unknown cache mode "
                          + InputText.quote(value)
                          + "; use one of "
                          + String.join(", ", CacheMode.ids())));
    }
  }
}
