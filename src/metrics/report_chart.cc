// QueueReportSvg: a grouped bar chart of service level per period, written
// as plain SVG text.

#include <algorithm>
#include <array>
#include <cmath>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include "ccengine/compliance/pii.h"
#include "ccengine/metrics/intervals.h"
#include "fmt/format.h"

namespace ccengine::metrics {

namespace {

std::string Xml(std::string_view v) {
  std::string out;
  for (char c : v) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += c;
    }
  }
  return out;
}

constexpr std::array<std::string_view, 8> kColors = {"#1f77b4", "#ff7f0e", "#2ca02c",
                                                     "#d62728", "#9467bd", "#8c564b",
                                                     "#e377c2", "#7f7f7f"};
constexpr int kPlotHeight = 200;  // pixels for 100%
constexpr int kTop = 40, kLeft = 56, kBar = 14, kGap = 12;

}  // namespace

std::string QueueReportSvg(const std::vector<QueueRow>& rows, Granularity granularity,
                           const absl::TimeZone& zone, double target) {
  std::map<absl::Time, std::map<std::string, double>> periods;
  std::map<std::string, size_t> queues;  // name -> color index, by name
  for (const QueueRow& r : rows) {
    periods[r.start][r.queue] = r.figures.service_level;
    queues.emplace(r.queue, 0);
  }
  size_t n = 0;
  for (auto& [name, color] : queues) color = n++;
  const int group = std::max<int>(1, static_cast<int>(queues.size())) * kBar + kGap;
  const int width = std::max(kLeft + static_cast<int>(periods.size()) * group + 20, 420);
  const int legend_top = kTop + kPlotHeight + 46;
  const int height = legend_top + static_cast<int>(queues.size()) * 18 + 10;
  const char* label_format =
      granularity <= Granularity::kHour ? "%m-%d %H:%M" : "%Y-%m-%d";
  std::string out;
  auto it = std::back_inserter(out);
  fmt::format_to(it,
                 "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" "
                 "font-family=\"sans-serif\" font-size=\"11\">\n"
                 "<text x=\"{}\" y=\"20\" font-size=\"14\">Service level by {} "
                 "(服务水平)</text>\n",
                 width, height, kLeft, GranularityName(granularity));
  for (int pct = 0; pct <= 100; pct += 20) {
    const int y = kTop + kPlotHeight - pct * kPlotHeight / 100;
    fmt::format_to(it,
                   "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#ddd\"/>"
                   "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}%</text>\n",
                   kLeft, y, width - 20, y, kLeft - 6, y + 4, pct);
  }
  int x = kLeft + kGap / 2;
  for (const auto& [start, by_queue] : periods) {
    for (const auto& [name, sl] : by_queue) {
      if (!std::isfinite(sl)) continue;
      const int h = static_cast<int>(std::lround(std::clamp(sl, 0.0, 1.0) * kPlotHeight));
      fmt::format_to(it,
                     "<rect class=\"bar\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" "
                     "fill=\"{}\"><title>{} {}: {:.1f}%</title></rect>\n",
                     x + static_cast<int>(queues[name]) * kBar, kTop + kPlotHeight - h,
                     kBar - 2, h, kColors[queues[name] % kColors.size()],
                     Xml(compliance::MaskPii(name)),
                     absl::FormatTime(label_format, start, zone), 100 * sl);
    }
    fmt::format_to(it,
                   "<text x=\"{}\" y=\"{}\" transform=\"rotate(30 {} {})\">{}</text>\n",
                   x, kTop + kPlotHeight + 14, x, kTop + kPlotHeight + 14,
                   absl::FormatTime(label_format, start, zone));
    x += group;
  }
  if (std::isfinite(target)) {
    const int y =
        kTop + kPlotHeight -
        static_cast<int>(std::lround(std::clamp(target, 0.0, 1.0) * kPlotHeight));
    fmt::format_to(it,
                   "<line class=\"target\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" "
                   "stroke=\"#c62828\" stroke-dasharray=\"6 4\"/>"
                   "<text x=\"{}\" y=\"{}\" fill=\"#c62828\">target {:.0f}%</text>\n",
                   kLeft, y, width - 20, y, kLeft + 4, y - 4, 100 * target);
  }
  int y = legend_top;
  for (const auto& [name, color] : queues) {
    fmt::format_to(it,
                   "<rect x=\"{}\" y=\"{}\" width=\"12\" height=\"12\" fill=\"{}\"/>"
                   "<text x=\"{}\" y=\"{}\">{}</text>\n",
                   kLeft, y - 10, kColors[color % kColors.size()], kLeft + 18, y,
                   Xml(compliance::MaskPii(name)));
    y += 18;
  }
  out += "</svg>\n";
  return out;
}

}  // namespace ccengine::metrics
