#pragma once
// A Lambda's cold start (docs/decisions/0037-a-lambda-answers-first.md): the heap it will use is
// faulted in by one call, not a page fault at a time.

namespace tenantd {

// Faults in the next 512 KiB of the main heap (a health cold start uses ~300 KiB) with one
// madvise(MADV_POPULATE_WRITE), and keeps blocks of that size on the heap and the heap's top
// from being given back, so that the allocations after it land on those pages. False when the
// kernel cannot (before Linux 5.14): the process goes on as it would have.
bool populate_lambda_heap();

}  // namespace tenantd
