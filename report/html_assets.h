// The inline stylesheet and script of the HTML report
// (results/html_report.h). The script renders the attempt list and, on
// click or on a "#attempt-N" URL fragment, one attempt's transcript from the
// JSON data elements; it writes data only through textContent, never HTML.
#pragma once

namespace endstate::report {

extern const char kHtmlReportCss[];
extern const char kHtmlReportJs[];

}  // namespace endstate::report
