// The one deleter for C library handles: `Handle<T, Fn>` is a unique_ptr
// that calls `Fn(p)` when it owns a non-null `p`. Each library's wrappers
// (util/curl_handles.h, util/git_handles.h, sandbox/libssh2_handles.h,
// results/sqlite.h, gumbo) name their handles with it. Destructors never
// throw: the free functions wrapped here do not.
#pragma once

#include <memory>

namespace endstate::util {

template <auto Fn>
struct Deleter {
  template <class T>
  void operator()(T* p) const {
    Fn(p);
  }
};

template <class T, auto Fn>
using Handle = std::unique_ptr<T, Deleter<Fn>>;

}  // namespace endstate::util
