package io.imagefleet.report;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/** One line of disk.jsonl: free bytes on the data root at a moment, the floor, and any prune. */
@JsonIgnoreProperties(ignoreUnknown = true)
record DiskSample(
    @JsonProperty("at") String at,
    @JsonProperty("free_bytes") Long freeBytes,
    @JsonProperty("floor_bytes") Long floorBytes,
    @JsonProperty("pruned_bytes") Long prunedBytes) {}
