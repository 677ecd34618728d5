// RAII wrappers for libcurl handles. Destructors never throw.
#pragma once

#include <curl/curl.h>

#include <memory>

namespace endstate::util {

template <auto Fn>
struct CurlDeleter {
  template <class T>
  void operator()(T* p) const {
    Fn(p);
  }
};
using CurlEasy = std::unique_ptr<CURL, CurlDeleter<curl_easy_cleanup>>;
using CurlList = std::unique_ptr<curl_slist, CurlDeleter<curl_slist_free_all>>;

// Calls curl_global_init once per process (thread-safe).
void EnsureCurlGlobalInit();

}  // namespace endstate::util
