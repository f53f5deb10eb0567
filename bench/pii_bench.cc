// The cost of masking personal data (ccengine/compliance/pii.h) on what a
// contact carries out of the engine, beside the cost of building that
// record in the first place.
//
// Workload: 1,000 contacts of a citizen hotline, each with a customer id
// and five attributes (caller number, channel, IVR choice, language, and a
// free-text note of 20-60 Chinese characters); 40% of the notes hold a
// callback number, an identity card, a bank card or an e-mail address.
//   BM_BuildRecord   what a snapshot of the contact costs without masking:
//                    its attributes copied into a fresh map (the baseline)
//   BM_MaskRecord    the same record with every value masked by a Masker
//                    (the note and caller number scanned; a name field
//                    masked whole)
//   BM_MaskPii/Text  MaskPii over the notes alone (bytes/s)
// Counters: items_per_second (records), bytes_per_second (text scanned).
//
// Thread safety: each benchmark uses its own data.

#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "benchmark/benchmark.h"
#include "ccengine/compliance/pii.h"
#include "fmt/format.h"

namespace {

using Record = std::vector<std::pair<std::string, std::string>>;

const std::vector<Record>& Records() {
  static const std::vector<Record> records = [] {
    std::mt19937_64 rng(12345);
    auto digits = [&](int n) {
      std::string s;
      for (int i = 0; i < n; ++i) s.push_back(static_cast<char>('0' + rng() % 10));
      return s;
    };
    const std::vector<std::string> notes = {
        "市民反映小区门口道路破损多日无人维修，希望尽快处理",
        "咨询社保卡补办需要哪些材料以及办理地点和时间",
        "投诉商家拒绝退款，已多次沟通无果，请求协调",
        "询问公积金提取条件，本人在深圳工作三年",
        "反映夜间施工噪音扰民，时间在晚上十一点以后",
    };
    std::vector<Record> out;
    for (int i = 0; i < 1000; ++i) {
      std::string note = notes[rng() % notes.size()];
      switch (rng() % 10) {
        case 0: note += "，回电 1" + std::to_string(3 + rng() % 7) + digits(9); break;
        case 1: note += "，身份证 11010519491231002X"; break;
        case 2: note += "，退款卡号 4111111111111111"; break;
        case 3: note += "，邮箱 citizen" + digits(3) + "@example.com"; break;
        default: break;
      }
      out.push_back({{"customer.name", "张三"},
                     {"caller", "1" + std::to_string(3 + rng() % 7) + digits(9)},
                     {"channel", "voice"},
                     {"ivr", std::to_string(1 + rng() % 5)},
                     {"language", "zh"},
                     {"note", note}});
    }
    return out;
  }();
  return records;
}

void BM_BuildRecord(benchmark::State& state) {
  const std::vector<Record>& records = Records();
  size_t i = 0;
  for (auto _ : state) {
    std::map<std::string, std::string> out;
    for (const auto& [k, v] : records[i]) out.emplace(k, v);
    benchmark::DoNotOptimize(out);
    i = (i + 1) % records.size();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_BuildRecord);

void BM_MaskRecord(benchmark::State& state) {
  const std::vector<Record>& records = Records();
  const ccengine::compliance::Masker masker =
      ccengine::compliance::Masker::Create({"customer.name"}).value();
  size_t i = 0;
  for (auto _ : state) {
    std::map<std::string, std::string> out;
    for (const auto& [k, v] : records[i]) out.emplace(k, masker.Mask(k, v));
    benchmark::DoNotOptimize(out);
    i = (i + 1) % records.size();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_MaskRecord);

void BM_MaskPii_Text(benchmark::State& state) {
  const std::vector<Record>& records = Records();
  size_t i = 0, bytes = 0;
  for (auto _ : state) {
    const std::string& note = records[i].back().second;
    benchmark::DoNotOptimize(ccengine::compliance::MaskPii(note));
    bytes += note.size();
    i = (i + 1) % records.size();
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}
BENCHMARK(BM_MaskPii_Text);

}  // namespace
