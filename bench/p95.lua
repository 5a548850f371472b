-- wrk reports 50/75/90/99th percentiles; the README reports the 95th too.
done = function(summary, latency, requests)
  io.write(string.format("requêtes : %d en %.1f s, %.1f par seconde ; erreurs HTTP : %d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    summary.errors.status))
  io.write(string.format("latence : médiane %.1f ms, p95 %.1f ms, p99 %.1f ms\n",
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000))
end
