// The personal-data detectors and masking: each kind in Chinese and English
// context with its exact masked form, the numbers that must be left alone,
// the checks (identity card check digit and birth date, Luhn), masking twice,
// whole-field masking and the Masker; a randomized recall test over
// generated sentences; and false positives measured on the repository's own
// prose and data (docs, README, knowledge articles, ticket texts, queue names).

#include "ccengine/compliance/pii.h"

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "fmt/format.h"
#include "gtest/gtest.h"

namespace ccengine::compliance {
namespace {

// 17 digits and their check digit.
std::string WithCheckDigit(const std::string& first17) {
  static constexpr int kWeights[] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  int sum = 0;
  for (size_t i = 0; i < 17; ++i) sum += (first17[i] - '0') * kWeights[i];
  return first17 + "10X98765432"[sum % 11];
}

// Digits and their Luhn check digit.
std::string WithLuhn(const std::string& digits) {
  for (char c = '0'; c <= '9'; ++c) {
    if (PassesLuhn(digits + c)) return digits + c;
  }
  return "";
}

TEST(PiiTest, EachKindIsMaskedInPlace) {
  const std::string card = WithLuhn("622202123456789012");  // 19 digits
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"请回电13812345678，谢谢", "请回电138****5678，谢谢"},
      {"call me on +86 138 1234 5678 today", "call me on +86 *** **** 5678 today"},
      {"手机：0086-13812345678", "手机：0086-*******5678"},
      {"拨 013812345678", "拨 0138****5678"},
      {"138-1234-5678 或 139 8765 4321", "138-****-5678 或 139 **** 4321"},
      {"座机010-62345678转", "座机010-****5678转"},
      {"(0755) 8765 4321", "(0755) **** 4321"},
      {"电话075587654321", "电话0755****4321"},
      {"021 62345678", "021 ****5678"},
      {"身份证11010519491231002X。", "身份证110***********002X。"},
      {"id 11010519491231002x", "id 110***********002x"},
      {"卡号" + card, "卡号622202*********" + card.substr(15)},
      {"card 6222 0212 3456 7890 12" + card.substr(18),
       "card 6222 **** **** **** 12" + card.substr(18)},
      {"邮箱 zhang.san@example.com。", "邮箱 z***@example.com。"},
      {"cc: li_si+cc@mail.gov.cn.", "cc: l***@mail.gov.cn."},
      {"13812345678@qq.com", "1***@qq.com"},
      {"**13812345678**", "**138****5678**"},
      {"13812345678 2 次", "138****5678 2 次"},
      {"手机13812345678x号", "手机138****5678x号"},
      {"0755-8765-4321", "0755-****-4321"},
  };
  for (const auto& [text, want] : cases) {
    EXPECT_EQ(MaskPii(text), want) << text;
    EXPECT_TRUE(FindPii(MaskPii(text)).empty()) << text;
    EXPECT_EQ(MaskPii(MaskPii(text)), MaskPii(text)) << text;
  }
}

TEST(PiiTest, KindsAndSpans) {
  const std::string text = "a 13812345678 b 010-62345678 c 11010519491231002X d " +
                           WithLuhn("621700000000000000") + " e x@y.cn";
  const std::vector<PiiMatch> m = FindPii(text);
  ASSERT_EQ(m.size(), 5u);
  const std::vector<PiiKind> kinds = {PiiKind::kMobile, PiiKind::kLandline,
                                      PiiKind::kResidentId, PiiKind::kBankCard,
                                      PiiKind::kEmail};
  for (size_t i = 0; i < m.size(); ++i) {
    EXPECT_EQ(m[i].kind, kinds[i]) << i;
  }
  EXPECT_EQ(text.substr(m[0].begin, m[0].end - m[0].begin), "13812345678");
  EXPECT_EQ(text.substr(m[1].begin, m[1].end - m[1].begin), "010-62345678");
  EXPECT_EQ(text.substr(m[4].begin, m[4].end - m[4].begin), "x@y.cn");
  EXPECT_EQ(PiiKindName(PiiKind::kResidentId), "resident_id");
  EXPECT_EQ(PiiKindName(PiiKind::kBankCard), "bank_card");
}

TEST(PiiTest, OrdinaryNumbersAreLeftAlone) {
  const std::string bad_check = "110105194912310021";  // the check digit is X
  const std::string card = WithLuhn("622202123456789012");
  std::string bad_luhn = card;
  bad_luhn.back() = static_cast<char>('0' + (bad_luhn.back() - '0' + 1) % 10);
  const std::vector<std::string> texts = {
      "拨打12345热线",
      "95588",
      "400-820-8820",
      "110 120 119",
      "2026-12-05",
      "2026-12-05 15:17:00",
      "工单号 20261205153000",
      "金额 ¥1,234.56",
      "192.168.1.10",
      "v1.2.3",
      "T-000123",
      "12812345678",
      "10812345678",
      bad_check,
      "110105194913310029",
      "110105200002300024",
      bad_luhn,
      "7123456789012345",
      "87654321",
      "010-1234567",
      "010-12345678",
      "a@b",
      "a@b.c",
      "@example.com",
      "x@y@z.com",
      "user@-bad.com",
      "user@bad-.com",
      "user@example.c0m",
      ".@example.com",
      "138123456789",
      "1381234567",
      "queue policy_hotline_12345",
      // Lists and table rows of small numbers are not one number.
      "15 230 12 4 881",
      "排队 坐席 1 3 5 12 60 300 7",
      "3 5 8 13 21 34 55 89 144",
      "| 2026 | 12 | 05 | 13 | 45 |",
      "4 30 25 55 0 118",
  };
  for (const std::string& t : texts) {
    EXPECT_TRUE(FindPii(t).empty()) << t << " -> " << MaskPii(t);
    EXPECT_EQ(MaskPii(t), t);
  }
}

// A run of digit groups longer than the scanner reads at once is read in
// overlapping pieces: a number anywhere in it, the seams included, is found.
TEST(PiiTest, LongRunsAreReadWhole) {
  for (int k = 50; k < 140; ++k) {
    std::string text;
    for (int i = 0; i < k; ++i) text += "1 ";
    text += "138 1234 5678";
    for (int i = 0; i < 100; ++i) text += " 2";
    const std::vector<PiiMatch> m = FindPii(text);
    ASSERT_EQ(m.size(), 1u) << k;
    EXPECT_EQ(text.substr(m[0].begin, m[0].end - m[0].begin), "138 1234 5678") << k;
    EXPECT_TRUE(FindPii(MaskPii(text)).empty()) << k;
  }
  std::string big;
  for (int i = 0; i < 500'000; ++i) big += "5 ";
  EXPECT_TRUE(FindPii(big).empty());
}

TEST(PiiTest, Checks) {
  EXPECT_TRUE(IsResidentId("11010519491231002X"));
  EXPECT_TRUE(IsResidentId("11010519491231002x"));
  EXPECT_FALSE(IsResidentId("110105194912310021"));
  EXPECT_TRUE(IsResidentId(WithCheckDigit("44030520000229123")));   // a leap day
  EXPECT_FALSE(IsResidentId(WithCheckDigit("44030519000229123")));  // 1900: no 29 Feb
  EXPECT_FALSE(IsResidentId(WithCheckDigit("04030519900101123")));  // region 0
  EXPECT_FALSE(IsResidentId(WithCheckDigit("44030518991231123")));  // before 1900
  EXPECT_FALSE(IsResidentId("11010519491231002"));
  EXPECT_TRUE(PassesLuhn("4111111111111111"));
  EXPECT_FALSE(PassesLuhn("4111111111111112"));
  EXPECT_FALSE(PassesLuhn(""));
  EXPECT_FALSE(PassesLuhn("4111 1111"));
}

TEST(PiiTest, WholeFieldsAndTheMasker) {
  EXPECT_EQ(MaskWhole("张三"), "张**");
  EXPECT_EQ(MaskWhole("广东省深圳市福田区"), "广**");
  EXPECT_EQ(MaskWhole("Alice"), "A**");
  EXPECT_EQ(MaskWhole("张"), "*");
  EXPECT_EQ(MaskWhole(""), "");
  EXPECT_EQ(MaskWhole("\xff\xfe"), "**");
  EXPECT_EQ(MaskWhole("\xe5\xbc"), "**");       // a character cut short
  EXPECT_EQ(MaskWhole("\xe0\x80\x80z"), "**");  // an overlong form
  EXPECT_EQ(MaskWhole("\xed\xa0\x80z"), "**");  // a surrogate
  EXPECT_EQ(MaskWhole("\xf0\x9f\x98\x80z"), "\xf0\x9f\x98\x80**");  // an emoji

  const Masker m = Masker::Create({"customer.name", "address"}).value();
  EXPECT_TRUE(m.IsPersonal("address"));
  EXPECT_FALSE(m.IsPersonal("note"));
  EXPECT_EQ(m.Mask("customer.name", "李四"), "李**");
  EXPECT_EQ(m.Mask("note", "回电 13812345678"), "回电 138****5678");
  EXPECT_EQ(Masker().Mask("customer.name", "李四"), "李四");

  absl::StatusOr<Masker> bad = Masker::Create({"name", ""});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "personal_fields[1]: empty field name");
  bad = Masker::Create({"name", "address", "name"});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "personal_fields[2]: 'name' listed twice");
}

// Generated sentences, each with one piece of personal data written one of
// the ways people write it: every one is found, with its kind and span.
TEST(PiiTest, RandomizedRecall) {
  std::mt19937_64 rng(20261205);
  auto digit = [&](char lo = '0') {
    return static_cast<char>(lo + std::uniform_int_distribution<int>(0, '9' - lo)(rng));
  };
  auto digits = [&](int n) {
    std::string s;
    for (int i = 0; i < n; ++i) s.push_back(digit());
    return s;
  };
  auto pick = [&](const std::vector<std::string>& v) {
    return v[std::uniform_int_distribution<size_t>(0, v.size() - 1)(rng)];
  };
  const std::vector<std::string> before = {
      "请回电", "我的号码是 ", "联系方式：", "call ", "（", "客户说 ", "", "内容：\n"};
  const std::vector<std::string> after = {"，谢谢", " 转人工", "。", "）",
                                          "",       " ok",     "\n", "！"};
  int found = 0;
  const int n = 2000;
  for (int i = 0; i < n; ++i) {
    std::string item;
    PiiKind kind{};
    switch (i % 5) {
      case 0: {
        kind = PiiKind::kMobile;
        const std::string m = "1" + std::string(1, digit('3')) + digits(9);
        item = pick({m, m.substr(0, 3) + " " + m.substr(3, 4) + " " + m.substr(7),
                     m.substr(0, 3) + "-" + m.substr(3, 4) + "-" + m.substr(7),
                     "+86 " + m, "0086" + m});
        break;
      }
      case 1: {
        kind = PiiKind::kLandline;
        const std::string area = pick({"010", "021", "020", "0755", "0571", "0851"});
        const std::string local =
            std::string(1, digit('2')) + digits(area.size() == 3 ? 7 : 6 + (i % 2));
        item = pick({area + "-" + local, "(" + area + ")" + local, area + local,
                     area + " " + local});
        break;
      }
      case 2: {
        kind = PiiKind::kResidentId;
        const std::string date = fmt::format(
            "{}{:02}{:02}", std::uniform_int_distribution<int>(1940, 2010)(rng),
            std::uniform_int_distribution<int>(1, 12)(rng),
            std::uniform_int_distribution<int>(1, 28)(rng));
        item = WithCheckDigit(pick({"110105", "440305", "310104", "510107"}) + date +
                              digits(3));
        break;
      }
      case 3: {
        kind = PiiKind::kBankCard;
        const std::string c =
            WithLuhn(pick({"62", "4", "5", "37"}) + digits(12 + static_cast<int>(i % 4)));
        item = c;
        if (c.size() == 16 && i % 2 == 0) {
          item = c.substr(0, 4) + " " + c.substr(4, 4) + " " + c.substr(8, 4) + " " +
                 c.substr(12);
        }
        break;
      }
      case 4: {
        kind = PiiKind::kEmail;
        item = pick({"zhang", "li.si", "w_wu", "a1"}) + digits(2) + "@" +
               pick({"example.com", "qq.com", "mail.gov.cn", "163.com"});
        break;
      }
    }
    const std::string pre = pick(before);
    const std::string text = pre + item + pick(after);
    const std::vector<PiiMatch> m = FindPii(text);
    const bool ok = m.size() == 1 && m[0].kind == kind &&
                    text.substr(m[0].begin, m[0].end - m[0].begin) ==
                        (item[0] == '+' || item[0] == '(' ? item.substr(1) : item);
    EXPECT_TRUE(ok) << "'" << text << "' -> '" << MaskPii(text) << "'";
    found += ok ? 1 : 0;
    EXPECT_TRUE(FindPii(MaskPii(text)).empty()) << text;
  }
  EXPECT_EQ(found, n);
}

std::string ReadFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Ordinary text must come through untouched: the project's documentation
// (queue names, figures, tables), the knowledge articles and questions, the
// ticket texts of the dedupe evaluation set and the hotline examples.
TEST(PiiTest, NoFalsePositivesOnOrdinaryText) {
  const std::filesystem::path root = CCENGINE_SOURCE_DIR;
  std::vector<std::filesystem::path> files = {
      root / "README.md",
      root / "bench" / "README.md",
      root / "tests" / "data" / "knowledge" / "articles.jsonl",
      root / "tests" / "data" / "knowledge" / "queries.jsonl",
      root / "tests" / "data" / "knowledge" / "unanswerable.jsonl",
      root / "tests" / "data" / "tickets" / "dedupe_pairs.jsonl",
      root / "examples" / "hotline_tickets.py",
      root / "examples" / "hotline_knowledge.py",
      root / "examples" / "hotline_day.py",
  };
  for (const auto& e : std::filesystem::directory_iterator(root / "docs")) {
    // compliance.md shows personal data on purpose, as examples.
    if (e.path().extension() == ".md" && e.path().filename() != "compliance.md") {
      files.push_back(e.path());
    }
  }
  size_t bytes = 0;
  for (const auto& f : files) {
    std::string text = ReadFile(f);
    // The README's "Personal data" section shows personal data on purpose.
    if (f.filename() == "README.md" && f.parent_path() == root) {
      const size_t from = text.find("\n## Personal data");
      ASSERT_NE(from, std::string::npos);
      text.erase(from, text.find("\n## ", from + 1) - from);
    }
    ASSERT_FALSE(text.empty()) << f;
    bytes += text.size();
    for (const PiiMatch& m : FindPii(text)) {
      ADD_FAILURE() << f << ": " << PiiKindName(m.kind) << " '"
                    << text.substr(m.begin, m.end - m.begin) << "'";
    }
  }
  EXPECT_GT(bytes, 500'000u);
}

}  // namespace
}  // namespace ccengine::compliance
