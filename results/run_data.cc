#include "results/run_data.h"

namespace endstate::results {

int RunData::ModelIndex(const std::string& name) const {
  for (size_t i = 0; i < models.size(); ++i) {
    if (models[i] == name) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace endstate::results
