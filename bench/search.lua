-- wrk script for bench/search.sh: every request asks for one line of the
-- file $KITH_PATHS (URL paths, already percent-encoded), drawn at random
-- with a per-thread seed, and `done` prints the figures as one JSON line.
local paths = {}
local threads = 0

function setup(thread)
    thread:set("id", threads)
    threads = threads + 1
end

function init(args)
    for line in io.lines(os.getenv("KITH_PATHS")) do
        paths[#paths + 1] = line
    end
    math.randomseed(42 + id)
end

function request()
    return wrk.format("GET", paths[math.random(#paths)])
end

function done(summary, latency, requests)
    local seconds = summary.duration / 1e6
    io.write(string.format(
        '{"requests":%d,"seconds":%.3f,"per_second":%.1f,"non_2xx":%d,"socket_errors":%d,' ..
        '"p50_ms":%.3f,"p90_ms":%.3f,"p99_ms":%.3f,"max_ms":%.3f}\n',
        summary.requests, seconds, summary.requests / seconds, summary.errors.status,
        summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
        latency:percentile(50) / 1000, latency:percentile(90) / 1000,
        latency:percentile(99) / 1000, latency.max / 1000))
end
