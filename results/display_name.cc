#include "results/display_name.h"

#include <set>

namespace endstate::results {

std::string ShortModelName(const std::string& name) {
  for (const char* provider : {"openai:", "anthropic:"}) {
    if (name.rfind(provider, 0) != 0) continue;
    // The model id follows the first '#' (models/model_config.cc parses
    // specs the same way); an empty id would say nothing.
    const size_t hash = name.find('#');
    if (hash != std::string::npos && hash + 1 < name.size()) {
      return name.substr(hash + 1);
    }
  }
  return name;
}

std::vector<std::string> DisplayModelNames(
    const std::vector<std::string>& names) {
  const std::set<std::string> distinct(names.begin(), names.end());
  // How many distinct models each candidate display string would stand
  // for: a short form counts once per model, and so does a full name that
  // stays as it is.
  std::map<std::string, int> claims;
  for (const std::string& n : distinct) {
    ++claims[ShortModelName(n)];
    if (ShortModelName(n) != n) ++claims[n];
  }
  std::vector<std::string> out;
  out.reserve(names.size());
  for (const std::string& n : names) {
    const std::string s = ShortModelName(n);
    out.push_back(claims[s] == 1 ? s : n);
  }
  return out;
}

std::map<std::string, std::string> DisplayModelNameMap(
    const std::vector<std::string>& names) {
  const std::vector<std::string> shown = DisplayModelNames(names);
  std::map<std::string, std::string> out;
  for (size_t i = 0; i < names.size(); ++i) out[names[i]] = shown[i];
  return out;
}

}  // namespace endstate::results
