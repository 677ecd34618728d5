#include "graders/line_diff.h"

namespace endstate::graders {

std::vector<std::string_view> SplitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    lines.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return lines;
}

LineDiffStats DiffLines(std::string_view before, std::string_view after) {
  std::vector<std::string_view> a = SplitLines(before), b = SplitLines(after);
  // Common prefix and suffix do not take part in the search.
  size_t pre = 0;
  while (pre < a.size() && pre < b.size() && a[pre] == b[pre]) ++pre;
  size_t suf = 0;
  while (suf < a.size() - pre && suf < b.size() - pre &&
         a[a.size() - 1 - suf] == b[b.size() - 1 - suf]) {
    ++suf;
  }
  const long n = static_cast<long>(a.size() - pre - suf);
  const long m = static_cast<long>(b.size() - pre - suf);
  LineDiffStats stats;
  if (n == 0 && m == 0) return stats;
  stats.first_change_line = pre + 1;
  auto A = [&](long i) { return a[pre + i]; };
  auto B = [&](long j) { return b[pre + j]; };
  // Myers: v[k] = furthest x on diagonal k = x - y after d edits.
  const long max = n + m;
  std::vector<long> v(2 * max + 2, 0);
  const long off = max + 1;
  long d = 0;
  for (; d <= max; ++d) {
    bool done = false;
    for (long k = -d; k <= d; k += 2) {
      long x = (k == -d || (k != d && v[off + k - 1] < v[off + k + 1]))
                   ? v[off + k + 1]
                   : v[off + k - 1] + 1;
      long y = x - k;
      while (x < n && y < m && A(x) == B(y)) {
        ++x;
        ++y;
      }
      v[off + k] = x;
      if (x >= n && y >= m) {
        done = true;
        break;
      }
    }
    if (done) break;
  }
  // d = removed + added and n - removed = m - added (the common lines).
  stats.removed = static_cast<size_t>((d + n - m) / 2);
  stats.added = static_cast<size_t>((d - n + m) / 2);
  return stats;
}

}  // namespace endstate::graders
