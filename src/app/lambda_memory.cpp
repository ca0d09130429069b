#include "app/lambda_memory.hpp"

#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23  // Linux 5.14
#endif

namespace tenantd {

bool populate_lambda_heap() {
  constexpr std::size_t kHeapBytes = std::size_t{512} * 1024;
  // By default a block this size is mapped on its own and unmapped when freed, and a free top
  // of the heap over 128 KiB is given back: either would throw the populated pages away.
  mallopt(M_MMAP_THRESHOLD, static_cast<int>(2 * kHeapBytes));
  mallopt(M_TRIM_THRESHOLD, static_cast<int>(4 * kHeapBytes));
  void* block = std::malloc(kHeapBytes);
  if (block == nullptr) {
    return false;
  }
  // madvise takes whole pages: from the block's first page boundary, as many as it holds.
  const auto page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  const std::size_t skip = (page - reinterpret_cast<std::uintptr_t>(block) % page) % page;
  const std::size_t length = (kHeapBytes - skip) / page * page;
  const bool populated =
      madvise(static_cast<char*>(block) + skip, length, MADV_POPULATE_WRITE) == 0;
  std::free(block);  // back into the heap's top, where the next allocations are cut from
  return populated;
}

}  // namespace tenantd
