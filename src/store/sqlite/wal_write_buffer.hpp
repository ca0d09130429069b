#pragma once
// A VFS over SQLite's default one that gathers the frames a transaction appends to its WAL and
// writes them with one call when the commit frame is complete, instead of SQLite's two writes per
// frame (a 24-byte header, then the page). Each write is a system call, and on the hypervisor this
// runs on a system call costs more than the copy (docs/decisions/0031-wal-write-buffer.md).
//
// Nothing changes for durability or for readers: the buffer is written before the write that
// completes the commit frame returns, so before SQLite publishes the commit in the WAL index, and
// a failed write fails that commit exactly as a failed frame write did. Any other use of the WAL
// file (a read, a write that does not append, a sync, a truncation, its size) writes the buffer
// first.

namespace tenantd::store::sqlite {

// The VFS's name for sqlite3_open_v2; registers it (not as the default) on the first call.
const char* wal_write_buffer_vfs();

}  // namespace tenantd::store::sqlite
