// ccengine-report: daily, weekly and monthly reports from a metrics interval
// store (the SQLite file a live engine's collector writes, e.g. the Kamailio
// daemon's --metrics-db).
//
//   ccengine-report --db metrics.db [--kind queues|agents|groups]
//                   [--granularity 15min|30min|hour|day|week|month]
//                   [--from 2026-12-01] [--to 2026-12-08] [--tz Asia/Shanghai]
//                   [--format csv|json|svg] [--target 0.8]
//   ccengine-report --db metrics.db --drop-before 2023-12-07 [--tz Asia/Shanghai]
//
// The second form applies a retention period (the routing file's
// reports_days; a nightly job passes today less that many days): it removes
// the rows of every interval that starts before that local date's midnight,
// in one transaction, and prints how many went instead of a report.
// Periods are in the --tz time zone (default UTC); --from and --to are local
// dates (from inclusive, to exclusive; default: the last 7 days up to
// tomorrow), widened to whole periods (a monthly report of a week covers
// the month or months it falls in). The file must exist. svg (queues only)
// is a chart of service level per period against --target. The report goes
// to stdout. Exit 2 for bad arguments, 1 when
// the store cannot be read, each with the reason on stderr.

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <system_error>

#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "ccengine/metrics/intervals.h"
#include "ccengine/sqlite/interval_store.h"

namespace {

int Usage(const std::string& why) {
  std::cerr << "ccengine-report: " << why
            << "\nusage: ccengine-report --db FILE [--kind queues|agents|groups] "
               "[--granularity 15min|30min|hour|day|week|month] [--from YYYY-MM-DD] "
               "[--to YYYY-MM-DD] [--tz ZONE] [--format csv|json|svg] [--target RATIO]\n"
               "       ccengine-report --db FILE --drop-before YYYY-MM-DD [--tz ZONE]\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::map<std::string, std::string> args = {{"--kind", "queues"},
                                             {"--granularity", "day"},
                                             {"--tz", "UTC"},
                                             {"--format", "csv"}};
  for (int i = 1; i < argc; i += 2) {
    const std::string key = argv[i];
    if (i + 1 >= argc) return Usage("no value for " + key);
    if (key != "--db" && key != "--kind" && key != "--granularity" && key != "--from" &&
        key != "--to" && key != "--tz" && key != "--format" && key != "--target" &&
        key != "--drop-before") {
      return Usage("unknown option " + key);
    }
    args[key] = argv[i + 1];
  }
  if (args["--db"].empty()) return Usage("--db is required");
  absl::TimeZone zone;
  if (!absl::LoadTimeZone(args["--tz"], &zone)) {
    return Usage("unknown time zone '" + args["--tz"] + "' (is tzdata installed?)");
  }
  absl::StatusOr<ccengine::metrics::Granularity> granularity =
      ccengine::metrics::ParseGranularity(args["--granularity"]);
  if (!granularity.ok()) return Usage(std::string(granularity.status().message()));
  const std::string kind = args["--kind"], format = args["--format"];
  if (kind != "queues" && kind != "agents" && kind != "groups") {
    return Usage("--kind must be queues, agents or groups");
  }
  if (format != "csv" && format != "json" && format != "svg") {
    return Usage("--format must be csv, json or svg");
  }
  if (format == "svg" && kind != "queues")
    return Usage("--format svg is for --kind queues");
  double target = std::nan("");
  if (args.count("--target") != 0) {
    char* end = nullptr;
    target = std::strtod(args["--target"].c_str(), &end);
    if (end == args["--target"].c_str() || *end != '\0' ||
        !(target >= 0 && target <= 1)) {
      return Usage("--target must be a ratio in [0, 1]");
    }
  }
  absl::CivilDay drop_before;
  if (args.count("--drop-before") != 0 &&
      !absl::ParseCivilTime(args["--drop-before"], &drop_before)) {
    return Usage("--drop-before must be a date YYYY-MM-DD");
  }
  const absl::CivilDay today = absl::ToCivilDay(absl::Now(), zone);
  absl::CivilDay from = today - 6, to = today + 1;
  if (args.count("--from") != 0 && !absl::ParseCivilTime(args["--from"], &from)) {
    return Usage("--from must be a date YYYY-MM-DD");
  }
  if (args.count("--to") != 0 && !absl::ParseCivilTime(args["--to"], &to)) {
    return Usage("--to must be a date YYYY-MM-DD");
  }
  if (to < from) return Usage("--to is before --from");

  std::error_code exists_error;
  if (!std::filesystem::exists(args["--db"], exists_error)) {
    std::cerr << "ccengine-report: no such file: " << args["--db"] << "\n";
    return 1;
  }
  ccengine::sqlite::SqliteIntervalStoreOptions options;
  options.path = args["--db"];
  auto store = ccengine::sqlite::OpenSqliteIntervalStore(options);
  if (!store.ok()) {
    std::cerr << "ccengine-report: " << store.status() << "\n";
    return 1;
  }
  if (args.count("--drop-before") != 0) {
    const absl::Time before = absl::FromCivil(drop_before, zone);
    absl::StatusOr<size_t> dropped = (*store)->DropBefore(before);
    if (!dropped.ok()) {
      std::cerr << "ccengine-report: " << dropped.status() << "\n";
      return 1;
    }
    std::cout << "dropped " << *dropped << " rows of intervals before "
              << absl::FormatTime(absl::RFC3339_sec, before, zone) << "\n";
    return 0;
  }
  // Whole periods: from the start of the one containing --from to the end
  // of the one containing the day before --to.
  namespace m = ccengine::metrics;
  const absl::Time begin =
      m::PeriodStart(*granularity, absl::FromCivil(from, zone), zone);
  const absl::Time end =
      to == from
          ? begin
          : m::NextPeriodStart(*granularity,
                               absl::FromCivil(to, zone) - absl::Microseconds(1), zone);
  absl::StatusOr<ccengine::metrics::IntervalBatch> rows = (*store)->Read(begin, end);
  if (!rows.ok()) {
    std::cerr << "ccengine-report: " << rows.status() << "\n";
    return 1;
  }
  std::string out;
  if (kind == "queues") {
    const auto report = m::QueueReport(rows->queues, *granularity, zone);
    if (format == "svg") {
      out = m::QueueReportSvg(report, *granularity, zone, target);
    } else {
      out = format == "csv" ? m::QueueReportCsv(report, zone)
                            : m::QueueReportJson(report, zone);
    }
  } else if (kind == "agents") {
    const auto report = m::AgentReport(rows->agents, *granularity, zone);
    out = format == "csv" ? m::AgentReportCsv(report, zone)
                          : m::AgentReportJson(report, zone);
  } else {
    const auto report = m::GroupReport(rows->agents, *granularity, zone);
    out = format == "csv" ? m::GroupReportCsv(report, zone)
                          : m::GroupReportJson(report, zone);
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  if (format == "json") std::fputc('\n', stdout);
  return 0;
}
