#include "tools/text_limits.h"

#include <algorithm>

namespace endstate::tools {
namespace {

// Length of the valid UTF-8 sequence starting at s[i], or 0 when invalid
// (overlong forms, surrogates and code points past U+10FFFF included).
// Sets *cut when the sequence is a valid start cut short by the end.
size_t Utf8SequenceLength(std::string_view s, size_t i, bool* cut) {
  *cut = false;
  const auto c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) return 1;
  size_t len = 0;
  unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  for (size_t k = 1; k < len; ++k) {
    if (i + k >= s.size()) {
      *cut = true;
      return 0;
    }
    const auto b = static_cast<unsigned char>(s[i + k]);
    if (k == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xBF)) return 0;
  }
  return len;
}

// Largest n <= max such that s[0, n) does not end inside a UTF-8 sequence.
size_t Utf8Boundary(std::string_view s, size_t max) {
  if (max >= s.size()) return s.size();
  size_t n = max;
  // Back off over at most 3 continuation bytes.
  for (int k = 0; k < 3 && n > 0; ++k) {
    if ((static_cast<unsigned char>(s[n]) & 0xC0) != 0x80) break;
    --n;
  }
  if ((static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) return max;
  return n;
}

std::string Marker(uint64_t cut_bytes) {
  return "\n[... truncated " + std::to_string(cut_bytes) + " bytes]";
}

}  // namespace

std::string CapWithMarker(std::string_view text, size_t max_bytes,
                          uint64_t total_bytes) {
  if (total_bytes < text.size()) total_bytes = text.size();
  if (max_bytes == 0 || total_bytes <= max_bytes) return std::string(text);
  // The marker's length depends on N, which depends on what is kept: start
  // from the longest possible marker, then let the shorter marker of the
  // smaller N give its room back once (N only shrinks, so this still fits).
  size_t kept = 0;
  uint64_t cut = total_bytes;
  for (int pass = 0; pass < 2; ++pass) {
    size_t marker = Marker(cut).size();
    size_t room = max_bytes > marker ? max_bytes - marker : 0;
    kept = Utf8Boundary(text, std::min(room, text.size()));
    cut = total_bytes - kept;
  }
  std::string out(text.substr(0, kept));
  out += Marker(total_bytes - kept);
  return out;
}

std::string SanitizeUtf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    bool cut = false;
    size_t len = Utf8SequenceLength(text, i, &cut);
    if (len == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
      continue;
    }
    out.append(text.substr(i, len));
    i += len;
  }
  return out;
}

bool LooksBinary(std::string_view sample, bool is_prefix) {
  size_t i = 0;
  while (i < sample.size()) {
    if (sample[i] == '\0') return true;
    bool cut = false;
    size_t len = Utf8SequenceLength(sample, i, &cut);
    if (len == 0) return !(cut && is_prefix);
    i += len;
  }
  return false;
}

}  // namespace endstate::tools
