#include "graders/command_lint.h"

#include <boost/regex.hpp>

namespace endstate::graders {

std::vector<std::string> LintCheckCommand(const std::string& run) {
  // `!` as a pipeline's negation: at the start of a command, not inside a
  // word or a test expression (`[ ! -e f ]`, `test ! -e f` are fine: the
  // file test itself cannot fail).
  static const boost::regex kNegation(
      R"re((^|[;&|({\n]|\b(then|do|if|while|until|else|elif))\s*!\s+(?!-[a-zA-Z]\s))re");
  static const boost::regex kCompareOutputs(
      R"re("\$\([^"]*\)"\s*(=|==|!=)\s*"\$\()re");
  static const boost::regex kDiffSubstitutions(
      R"re(\bdiff\b[^\n]*<\([^\n]*<\()re");
  std::vector<std::string> out;
  if (boost::regex_search(run, kNegation)) {
    out.push_back(
        "negates a command ('! ...'): the check passes when the command "
        "fails for any reason (an unreadable file, a missing one); test its "
        "exit code for the one failure that means success (grep: 1)");
  }
  if (boost::regex_search(run, kCompareOutputs) ||
      boost::regex_search(run, kDiffSubstitutions)) {
    out.push_back(
        "compares the outputs of two commands: the check passes when both "
        "fail (both print nothing); capture each with x=\"$(cmd)\" && ... so "
        "a failure fails the check");
  }
  return out;
}

}  // namespace endstate::graders
