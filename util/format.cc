#include "util/format.h"

#include <cstdio>

namespace endstate::util {

std::string Fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  std::string s = buf;
  // "-0.0" says a sign the rounded value does not have.
  if (s.size() > 1 && s[0] == '-' &&
      s.find_first_not_of("0.", 1) == std::string::npos) {
    s.erase(0, 1);
  }
  return s;
}

std::string Percent(double fraction) { return Fixed(fraction * 100, 1) + "%"; }

std::string TokensText(double tokens) {
  if (tokens < 1000) return Fixed(tokens, 0);
  if (tokens < 1e6) return Fixed(tokens / 1000, 1) + "K";
  return Fixed(tokens / 1e6, 1) + "M";
}

}  // namespace endstate::util
