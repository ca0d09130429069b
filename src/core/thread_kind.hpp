#pragma once
// Whether the calling thread is one of a pool of peers that each run a job now and then (the HTTP
// server's writer threads) rather than a thread that serves without pause (an event loop). Costly
// per-thread resources are kept only by the latter: the SQLite store lends a pooled thread a
// shared read connection instead of opening one for it (store/sqlite/sqlite_store.cpp), so that
// a large writer pool does not keep a page cache per thread.
namespace tenantd::thread_kind {

inline thread_local bool pooled = false;

}  // namespace tenantd::thread_kind
