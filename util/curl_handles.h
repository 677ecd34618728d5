// RAII wrappers for libcurl handles. Destructors never throw.
#pragma once

#include <curl/curl.h>

#include "util/handle.h"

namespace endstate::util {

using CurlEasy = Handle<CURL, curl_easy_cleanup>;
using CurlList = Handle<curl_slist, curl_slist_free_all>;

// Calls curl_global_init once per process (thread-safe).
void EnsureCurlGlobalInit();

}  // namespace endstate::util
