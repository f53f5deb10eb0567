// -----------------------------------------------------------------------------
// File: bindings/python/register_compliance.cc
// -----------------------------------------------------------------------------
//
// ccengine.find_pii / mask_pii: personal data in free text, found and masked
// (ccengine/compliance/pii.h). Offsets are in characters of the Python str,
// not bytes.

#include <string>
#include <string_view>

#include "ccengine/compliance/pii.h"
#include "common.h"

namespace ccengine::python {

namespace {

// Characters (code points) of UTF-8 `s` before byte offset `at`.
size_t CharsBefore(std::string_view s, size_t at) {
  size_t n = 0;
  for (size_t i = 0; i < at; ++i) {
    n += (static_cast<unsigned char>(s[i]) & 0xC0) != 0x80 ? 1 : 0;
  }
  return n;
}

// A str's UTF-8 (bytes are refused: offsets count characters of a str).
std::string TextArg(const py::object& arg) {
  if (!PyUnicode_Check(arg.ptr())) {
    throw py::type_error("text: expected a str, got " + TypeName(arg));
  }
  return arg.cast<std::string>();
}

}  // namespace

void RegisterCompliance(py::module_& m) {
  using namespace pybind11::literals;
  m.def(
      "find_pii",
      [](const py::object& arg) {
        const std::string text = TextArg(arg);
        py::list out;
        size_t bytes = 0, chars = 0;
        for (const compliance::PiiMatch& match : compliance::FindPii(text)) {
          chars += CharsBefore(std::string_view(text).substr(bytes), match.begin - bytes);
          const size_t length = CharsBefore(std::string_view(text).substr(match.begin),
                                            match.end - match.begin);
          py::dict d;
          d["kind"] = std::string(compliance::PiiKindName(match.kind));
          d["start"] = chars;
          d["end"] = chars + length;
          d["text"] = text.substr(match.begin, match.end - match.begin);
          out.append(d);
          bytes = match.begin;
        }
        return out;
      },
      "text"_a,
      R"doc(Personal data in ``text``: a list of ``{"kind", "start", "end", "text"}``
(``text[start:end]``), kind one of "mobile", "landline", "resident_id",
"bank_card", "email". See docs/compliance.md for what is detected.)doc");
  m.def(
      "mask_pii", [](const py::object& arg) { return compliance::MaskPii(TextArg(arg)); },
      "text"_a,
      R"doc(``text`` with its personal data masked: "138****5678",
"010-****5678", "110***********002X", "622202*********0128",
"z***@example.com". Masking twice changes nothing.)doc");
}

}  // namespace ccengine::python
