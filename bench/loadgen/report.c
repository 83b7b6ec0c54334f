/* The result line: one JSON object on one line, so a harness can append runs
 * to a file and read them back with any JSON parser. */
#include "run.h"
#include "run_state.h"

#define RS run_state

static double per_second(uint64_t count, double seconds) {
  return seconds > 0 ? (double)count / seconds : 0;
}

static bool traffic_scenario(void) {
  enum scenario s = RS.o->scenario;
  return s == SCENARIO_ECHO || s == SCENARIO_ACK || s == SCENARIO_BCAST;
}

int run_report(FILE *out) {
  const struct options *o = RS.o;
  double measured_s = (double)(RS.measure_end - RS.measure_start) / 1e6;
  double connect_s = (double)(RS.all_settled_at - RS.first_launch_at) / 1e6;
  fprintf(out,
          "{\"label\":\"%s\",\"scenario\":\"%s\",\"transport\":\"%s\",\"clients\":%u,"
          "\"window\":%u,\"size\":%zu,\"binary\":%s,\"parser\":\"%s\",\"rate\":%.0f,",
          o->label, scenario_name(o->scenario),
          o->transport == TRANSPORT_POLLING ? "polling" : "websocket", o->clients, o->window,
          o->size, o->binary ? "true" : "false", o->msgpack ? "msgpack" : "json", o->rate);
  fprintf(out, "\"connected\":%u,\"errors\":%u,\"connect_s\":%.3f,\"conn_per_s\":%.1f,",
          RS.ready, RS.failures, connect_s,
          per_second(RS.connect_latency.total, connect_s));
  fprintf(out, "\"connect_p50_us\":%llu,\"connect_p99_us\":%llu,",
          (unsigned long long)latency_percentile(&RS.connect_latency, 0.50),
          (unsigned long long)latency_percentile(&RS.connect_latency, 0.99));
  fprintf(out,
          "\"duration_s\":%.3f,\"sent\":%llu,\"received\":%llu,\"msgs_per_s\":%.1f,"
          "\"mib_per_s\":%.2f,\"bcasts_per_s\":%.1f,",
          measured_s, (unsigned long long)RS.sent, (unsigned long long)RS.received,
          per_second(RS.received, measured_s),
          per_second(RS.received, measured_s) * (double)o->size / (1024.0 * 1024.0),
          per_second(RS.bcasts_completed, measured_s));
  fprintf(out, "\"lat_p50_us\":%llu,\"lat_p90_us\":%llu,\"lat_p99_us\":%llu,\"lat_max_us\":%llu,",
          (unsigned long long)latency_percentile(&RS.latency, 0.50),
          (unsigned long long)latency_percentile(&RS.latency, 0.90),
          (unsigned long long)latency_percentile(&RS.latency, 0.99),
          (unsigned long long)RS.latency.max_us);
  if (o->port2 != 0) {
    fprintf(out, "\"port2\":%u,\"cross_received\":%llu,\"cross_p50_us\":%llu,\"cross_p99_us\":%llu,",
            o->port2, (unsigned long long)RS.cross_latency.total,
            (unsigned long long)latency_percentile(&RS.cross_latency, 0.50),
            (unsigned long long)latency_percentile(&RS.cross_latency, 0.99));
  }
  if (o->server_pid > 0) {
    long before = RS.memory_before.rss_kb, after = RS.memory_after.rss_kb;
    double per_client_b = (before >= 0 && after >= 0 && RS.ready > 0)
                              ? (double)(after - before) * 1024.0 / RS.ready
                              : -1;
    fprintf(out,
            "\"server_rss_before_kb\":%ld,\"server_rss_kb\":%ld,\"server_hwm_kb\":%ld,"
            "\"rss_per_client_b\":%.0f}\n",
            before, after, RS.memory_after.hwm_kb, per_client_b);
  } else {
    fprintf(out, "\"server_rss_before_kb\":null,\"server_rss_kb\":null,\"server_hwm_kb\":null,"
                 "\"rss_per_client_b\":null}\n");
  }
  fflush(out);

  bool all_joined = RS.ready == o->clients && RS.failures == 0;
  bool replies_flowed = !traffic_scenario() || RS.received > 0;
  bool crossed = o->port2 == 0 || o->scenario != SCENARIO_BCAST || RS.cross_latency.total > 0;
  return all_joined && replies_flowed && crossed ? 0 : 1;
}
