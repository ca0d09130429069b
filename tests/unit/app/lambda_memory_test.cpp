#include "app/lambda_memory.hpp"

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <cstring>
#include <memory>
#include <vector>

// A sanitizer's allocator does not take glibc's malloc settings, and its shadow memory faults.
// GCC says so with __SANITIZE_*__, clang 14 only through __has_feature.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define TENANTD_SANITIZER_ALLOCATOR 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || \
    __has_feature(memory_sanitizer)
#define TENANTD_SANITIZER_ALLOCATOR 1
#endif
#endif

namespace tenantd {
namespace {

long minor_faults() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_minflt;
}

TEST(LambdaMemory, TheHeapALambdaStartsWithIsAlreadyFaultedIn) {
#ifdef TENANTD_SANITIZER_ALLOCATOR
  GTEST_SKIP() << "a sanitizer's allocator does not take glibc's malloc settings";
#endif
  if (!populate_lambda_heap()) {
    GTEST_SKIP() << "this kernel has no MADV_POPULATE_WRITE (Linux 5.14)";
  }
  std::vector<std::unique_ptr<char[]>> blocks;
  blocks.reserve(64);
  const long before = minor_faults();
  // 256 KiB in blocks of the sizes a cold start allocates, each written through.
  for (int i = 0; i < 64; ++i) {
    blocks.emplace_back(new char[4000]);
    std::memset(blocks.back().get(), 1, 4000);
  }
  EXPECT_LT(minor_faults() - before, 16);  // not a fault for each of the ~63 pages
}

}  // namespace
}  // namespace tenantd
