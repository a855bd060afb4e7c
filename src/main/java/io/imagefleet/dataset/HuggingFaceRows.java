package io.imagefleet.dataset;

import com.fasterxml.jackson.databind.JsonNode;
import io.imagefleet.Backoff;
import io.imagefleet.ImagefleetException;
import io.imagefleet.PeerFailure;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a Hugging Face dataset through the datasets-server rows API, page by page, with retries.
 */
public final class HuggingFaceRows {
  public static final String DEFAULT_ENDPOINT = "https://datasets-server.huggingface.co";
  static final int PAGE = 100;
  private static final int ATTEMPTS = 5;

  private final URI endpoint;
  private final HttpClient http;
  private final Duration backoff;

  public HuggingFaceRows(String endpoint, Duration backoff) {
    this.endpoint = URI.create(endpoint.endsWith("/") ? endpoint : endpoint + "/");
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    this.backoff = backoff;
  }

  public List<Instance> read(String dataset, String config, String split) {
    List<Instance> instances = new ArrayList<>();
    int total = Integer.MAX_VALUE;
    for (int offset = 0; offset < total; offset += PAGE) {
      // GET /rows?dataset=…&config=…&split=…&offset=…&length=100
      JsonNode page = page(dataset, config, split, offset);
      total = page.path("num_rows_total").asInt(0);
      JsonNode rows = page.path("rows");
      for (int i = 0; i < rows.size(); i++) {
        JsonNode row = rows.get(i);
        String where = "dataset " + dataset + " row " + row.path("row_idx").asInt(offset + i);
        instances.add(DatasetReader.fromRecord(row.path("row"), where));
      }
      if (rows.isEmpty()) {
        break;
      }
    }
    return instances;
  }

  private JsonNode page(String dataset, String config, String split, int offset) {
    URI uri = rowsUri(dataset, config, split, offset);
    HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60)).GET().build();
    String problem = "";
    for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
      try {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        int status = response.statusCode();
        if (status == 200) {
          return DatasetReader.JSON.readTree(response.body());
        }
        problem = "HTTP " + status;
        if (status == 404 || status == 400 || status == 401) {
          throw ImagefleetException.invalidInput(
              "--dataset "
                  + dataset
                  + " (split "
                  + split
                  + "): "
                  + problem
                  + " from "
                  + uri.getHost()
                  + "; check the dataset id and --split");
        }
      } catch (IOException e) {
        problem = e.getClass().getSimpleName() + ": " + e.getMessage();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new PeerFailure("interrupted while reading " + dataset);
      }
      Backoff.pause(Backoff.delay(backoff, attempt));
    }
    throw gaveUp(dataset, offset, problem);
  }

  private ImagefleetException gaveUp(String dataset, int offset, String problem) {
    return new PeerFailure(
        "reading dataset "
            + dataset
            + " at offset "
            + offset
            + " from "
            + endpoint
            + " failed "
            + ATTEMPTS
            + " times (last: "
            + problem
            + "); retry later or pass a local --dataset file");
  }

  private URI rowsUri(String dataset, String config, String split, int offset) {
    return endpoint.resolve(
        "rows?dataset="
            + encode(dataset)
            + "&config="
            + encode(config)
            + "&split="
            + encode(split)
            + "&offset="
            + offset
            + "&length="
            + PAGE);
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
