#include "core/unicode_text.hpp"

#include <algorithm>
#include <iterator>

#include "core/strings.hpp"

namespace tenantd::unicode {

namespace {

struct CategoryRange {
  char32_t start;
  CharClass cls;
};
struct CombiningRange {
  char32_t start;
  std::uint8_t ccc;
};
struct Decomposition {
  char32_t cp;
  char32_t first;
  char32_t second;  // 0: a singleton decomposition
};
struct Composition {
  char32_t first;
  char32_t second;
  char32_t composite;
};
struct CaseFold {
  char32_t cp;
  char32_t to[3];  // 0-terminated when shorter
};

#include "core/unicode_tables.inc"

// Most names are ASCII, which is its own NFC: the common case skips decoding and the tables.
bool is_ascii(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}
bool is_ascii(std::u32string_view text) {
  return std::all_of(text.begin(), text.end(), [](char32_t cp) { return cp < 0x80; });
}

// Hangul syllables compose and decompose by arithmetic (Unicode section 3.12).
constexpr char32_t kSBase = 0xAC00, kLBase = 0x1100, kVBase = 0x1161, kTBase = 0x11A7;
constexpr char32_t kLCount = 19, kVCount = 21, kTCount = 28;
constexpr char32_t kNCount = kVCount * kTCount, kSCount = kLCount * kNCount;

// The value of the last range starting at or before `cp`.
template <class Range, std::size_t N>
const Range& range_of(const Range (&table)[N], char32_t cp) {
  const auto it = std::upper_bound(std::begin(table), std::end(table), cp,
                                   [](char32_t c, const Range& r) { return c < r.start; });
  return *(it - 1);
}

std::uint8_t combining_class(char32_t cp) {
  return range_of(kCombiningRanges, cp).ccc;
}

void decompose(char32_t cp, std::u32string& out) {
  if (cp >= kSBase && cp < kSBase + kSCount) {
    const char32_t s = cp - kSBase;
    out.push_back(kLBase + s / kNCount);
    out.push_back(kVBase + (s % kNCount) / kTCount);
    if (s % kTCount != 0) {
      out.push_back(kTBase + s % kTCount);
    }
    return;
  }
  const auto it = std::lower_bound(std::begin(kDecompositions), std::end(kDecompositions), cp,
                                   [](const Decomposition& d, char32_t c) { return d.cp < c; });
  if (it == std::end(kDecompositions) || it->cp != cp) {
    out.push_back(cp);
    return;
  }
  decompose(it->first, out);  // at most a few levels deep: the data is finite and acyclic
  if (it->second != 0) {
    decompose(it->second, out);
  }
}

std::optional<char32_t> compose_pair(char32_t a, char32_t b) {
  if (a >= kLBase && a < kLBase + kLCount && b >= kVBase && b < kVBase + kVCount) {
    return kSBase + ((a - kLBase) * kVCount + (b - kVBase)) * kTCount;
  }
  if (a >= kSBase && a < kSBase + kSCount && (a - kSBase) % kTCount == 0 && b > kTBase &&
      b < kTBase + kTCount) {
    return a + (b - kTBase);
  }
  const auto it =
      std::lower_bound(std::begin(kCompositions), std::end(kCompositions), std::pair{a, b},
                       [](const Composition& c, std::pair<char32_t, char32_t> k) {
                         return c.first < k.first || (c.first == k.first && c.second < k.second);
                       });
  if (it == std::end(kCompositions) || it->first != a || it->second != b) {
    return std::nullopt;
  }
  return it->composite;
}

// One code point of UTF-8 at `pos`; nullopt when the sequence there is not valid.
std::optional<char32_t> next_code_point(std::string_view text, std::size_t pos, std::size_t& len) {
  const auto b0 = static_cast<unsigned char>(text[pos]);
  if (b0 < 0x80) {
    len = 1;
    return b0;
  }
  char32_t cp = 0;
  char32_t min = 0;
  if ((b0 & 0xE0) == 0xC0) {
    len = 2, cp = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3, cp = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4, cp = b0 & 0x07, min = 0x10000;
  } else {
    return std::nullopt;
  }
  if (pos + len > text.size()) {
    return std::nullopt;
  }
  for (std::size_t i = 1; i < len; ++i) {
    const auto b = static_cast<unsigned char>(text[pos + i]);
    if ((b & 0xC0) != 0x80) {
      return std::nullopt;
    }
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    return std::nullopt;
  }
  return cp;
}

}  // namespace

CharClass char_class(char32_t cp) {
  if (cp >= 0x110000) {
    return CharClass::Other;
  }
  return range_of(kCategoryRanges, cp).cls;
}

std::optional<std::u32string> decode_utf8(std::string_view text) {
  std::u32string out;
  out.reserve(text.size());
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t len = 1;
    const auto cp = next_code_point(text, pos, len);
    if (!cp) {
      return std::nullopt;
    }
    out.push_back(*cp);
    pos += len;
  }
  return out;
}

std::string encode_utf8(std::u32string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char32_t cp : text) {
    if (cp < 0x80) {
      out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }
  return out;
}

std::u32string nfc(std::u32string_view text) {
  if (is_ascii(text)) {
    return std::u32string(text);  // ASCII neither decomposes nor composes
  }
  std::u32string d;
  d.reserve(text.size());
  for (const char32_t cp : text) {
    decompose(cp, d);
  }
  // Canonical ordering: marks between two starters sorted by combining class, stably.
  for (std::size_t i = 1; i < d.size(); ++i) {
    const auto cc = combining_class(d[i]);
    if (cc == 0) {
      continue;
    }
    for (std::size_t j = i; j > 0; --j) {
      const auto prev = combining_class(d[j - 1]);
      if (prev == 0 || prev <= cc) {
        break;
      }
      std::swap(d[j - 1], d[j]);
    }
  }
  // Canonical composition: each mark joins the last starter unless blocked by a mark of the
  // same or a higher class in between.
  std::u32string out;
  out.reserve(d.size());
  std::size_t starter = std::u32string::npos;
  int last_class = -1;
  for (const char32_t cp : d) {
    const int cc = combining_class(cp);
    if (starter != std::u32string::npos && (last_class < cc || last_class == 0)) {
      if (const auto composite = compose_pair(out[starter], cp)) {
        out[starter] = *composite;
        continue;
      }
    }
    if (cc == 0) {
      starter = out.size();
    }
    last_class = cc;
    out.push_back(cp);
  }
  return out;
}

std::string nfc(std::string_view utf8) {
  if (is_ascii(utf8)) {
    return std::string(utf8);
  }
  const auto cps = decode_utf8(utf8);
  if (!cps) {
    return std::string(utf8);
  }
  return encode_utf8(nfc(*cps));
}

std::string comparison_key(std::string_view utf8) {
  if (is_ascii(utf8)) {
    return to_lower(utf8);  // case folding maps no ASCII character but A-Z, and those to a-z
  }
  const auto cps = decode_utf8(utf8);
  if (!cps) {
    return std::string(utf8);
  }
  std::u32string folded;
  for (const char32_t cp : nfc(*cps)) {
    const auto it = std::lower_bound(std::begin(kCaseFolds), std::end(kCaseFolds), cp,
                                     [](const CaseFold& f, char32_t c) { return f.cp < c; });
    if (it == std::end(kCaseFolds) || it->cp != cp) {
      folded.push_back(cp);
      continue;
    }
    for (const char32_t to : it->to) {
      if (to == 0) {
        break;
      }
      folded.push_back(to);
    }
  }
  return encode_utf8(nfc(folded));
}

bool is_valid_utf8(std::string_view text) {
  std::size_t pos = 0;
  while (pos < text.size()) {
    if (static_cast<unsigned char>(text[pos]) < 0x80) {
      ++pos;
      continue;
    }
    std::size_t len = 1;
    if (!next_code_point(text, pos, len)) {
      return false;
    }
    pos += len;
  }
  return true;
}

std::string to_valid_utf8(std::string_view text) {
  if (is_valid_utf8(text)) {
    return std::string(text);
  }
  std::string out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t len = 1;
    if (next_code_point(text, pos, len)) {
      out.append(text.substr(pos, len));
      pos += len;
    } else {
      out += "\xEF\xBF\xBD";  // U+FFFD for one bad byte
      ++pos;
    }
  }
  return out;
}

}  // namespace tenantd::unicode
