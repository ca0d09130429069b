#include "store/sqlite/wal_write_buffer.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <new>
#include <vector>

namespace tenantd::store::sqlite {

namespace {

// A WAL file starts with a 32-byte header, written again at offset 0 whenever the WAL restarts.
// Each frame then starts with a 24-byte header, whose bytes 4-7 hold the database size in pages
// after the commit for a transaction's last frame (its commit frame), and zero for the others.
constexpr int kWalHeaderBytes = 32;
constexpr int kFrameHeaderBytes = 24;
// A transaction larger than this goes out in several batches.
constexpr std::size_t kMaxBufferBytes = std::size_t{1} << 20;
// The most one write hands the base VFS: SQLite's own writes are at most a page (64 KiB at the
// most), and its unix VFS silently truncates a write of 128 KiB or more.
constexpr std::size_t kMaxWriteBytes = std::size_t{64} << 10;

constexpr sqlite3_int64 kUnknownOffset = -1;

sqlite3_vfs* base_vfs = nullptr;  // set once, before the VFS is registered

// A WAL opened through this VFS. The base VFS's own file object follows it in the same block.
struct BufferedWal {
  sqlite3_file file;  // first: SQLite sees this
  sqlite3_file* base;
  std::vector<unsigned char>* pending;  // appended bytes not yet written
  sqlite3_int64 pending_offset;         // where they go in the file
  // Where this transaction's next frame goes: the end of this handle's last write in it. Only
  // writes there are gathered. SQLite also writes in place (a frame's page again within its
  // transaction, the frame headers' checksums after a commit), and starts a transaction wherever
  // the WAL ends, which other processes move: those writes go straight to the file.
  sqlite3_int64 next_append;
  bool after_commit_header;  // the last write was a commit frame's header
};

BufferedWal* wal_of(sqlite3_file* file) {
  return reinterpret_cast<BufferedWal*>(file);
}

int flush(BufferedWal& wal) {
  if (wal.pending->empty()) {
    return SQLITE_OK;
  }
  int rc = SQLITE_OK;
  for (std::size_t done = 0; done < wal.pending->size() && rc == SQLITE_OK;) {
    const std::size_t chunk = std::min(kMaxWriteBytes, wal.pending->size() - done);
    rc = wal.base->pMethods->xWrite(wal.base, wal.pending->data() + done, static_cast<int>(chunk),
                                    wal.pending_offset + static_cast<sqlite3_int64>(done));
    done += chunk;
  }
  if (rc != SQLITE_OK) {
    wal.next_append = kUnknownOffset;  // SQLite abandons the transaction
  }
  wal.pending->clear();
  return rc;
}

bool is_commit_frame_header(const void* data, int size) {
  if (size != kFrameHeaderBytes) {
    return false;
  }
  std::uint32_t pages_after_commit = 0;
  std::memcpy(&pages_after_commit, static_cast<const unsigned char*>(data) + 4, 4);
  return pages_after_commit != 0;
}

int wal_write(sqlite3_file* file, const void* data, int size, sqlite3_int64 offset) {
  BufferedWal& wal = *wal_of(file);
  // The page after a commit frame's header completes the transaction: it must be in the file
  // before SQLite publishes the commit in the WAL index, and this write's error is the commit's.
  const bool completes_commit = wal.after_commit_header;
  wal.after_commit_header = is_commit_frame_header(data, size);
  const bool continues =
      !wal.pending->empty() &&
      offset == wal.pending_offset + static_cast<sqlite3_int64>(wal.pending->size()) &&
      (wal.pending->size() + static_cast<std::size_t>(size) <= kMaxBufferBytes || completes_commit);
  if (!continues) {
    if (int rc = flush(wal); rc != SQLITE_OK) {
      return rc;
    }
    const bool new_wal = offset == 0 && size == kWalHeaderBytes;
    if (offset != wal.next_append && !new_wal) {
      const int rc = wal.base->pMethods->xWrite(wal.base, data, size, offset);
      wal.next_append = offset + size;
      return rc;
    }
    wal.pending_offset = offset;
  }
  try {
    const auto* first = static_cast<const unsigned char*>(data);
    wal.pending->insert(wal.pending->end(), first, first + size);
  } catch (const std::bad_alloc&) {
    return SQLITE_IOERR_NOMEM;
  }
  wal.next_append = offset + size;
  if (!completes_commit) {
    return SQLITE_OK;
  }
  // What follows a commit in the same call (SQLite rewriting frame headers' checksums) is in
  // place; the next transaction's first frame header goes straight through and sets where its
  // frames continue.
  wal.next_append = kUnknownOffset;
  return flush(wal);
}

int wal_close(sqlite3_file* file) {
  BufferedWal& wal = *wal_of(file);
  const int flushed = flush(wal);
  const int closed = wal.base->pMethods->xClose(wal.base);
  delete wal.pending;
  wal.pending = nullptr;
  return flushed != SQLITE_OK ? flushed : closed;
}

int wal_read(sqlite3_file* file, void* data, int size, sqlite3_int64 offset) {
  BufferedWal& wal = *wal_of(file);
  if (int rc = flush(wal); rc != SQLITE_OK) {
    return rc;
  }
  return wal.base->pMethods->xRead(wal.base, data, size, offset);
}

int wal_truncate(sqlite3_file* file, sqlite3_int64 size) {
  BufferedWal& wal = *wal_of(file);
  if (int rc = flush(wal); rc != SQLITE_OK) {
    return rc;
  }
  wal.next_append = kUnknownOffset;
  return wal.base->pMethods->xTruncate(wal.base, size);
}

int wal_sync(sqlite3_file* file, int flags) {
  BufferedWal& wal = *wal_of(file);
  if (int rc = flush(wal); rc != SQLITE_OK) {
    return rc;
  }
  return wal.base->pMethods->xSync(wal.base, flags);
}

int wal_file_size(sqlite3_file* file, sqlite3_int64* size) {
  BufferedWal& wal = *wal_of(file);
  if (int rc = flush(wal); rc != SQLITE_OK) {
    return rc;
  }
  return wal.base->pMethods->xFileSize(wal.base, size);
}

int wal_lock(sqlite3_file* file, int level) {
  sqlite3_file* base = wal_of(file)->base;
  return base->pMethods->xLock(base, level);
}

int wal_unlock(sqlite3_file* file, int level) {
  sqlite3_file* base = wal_of(file)->base;
  return base->pMethods->xUnlock(base, level);
}

int wal_check_reserved_lock(sqlite3_file* file, int* reserved) {
  sqlite3_file* base = wal_of(file)->base;
  return base->pMethods->xCheckReservedLock(base, reserved);
}

int wal_file_control(sqlite3_file* file, int op, void* arg) {
  BufferedWal& wal = *wal_of(file);
  if (int rc = flush(wal); rc != SQLITE_OK) {
    return rc;
  }
  return wal.base->pMethods->xFileControl(wal.base, op, arg);
}

int wal_sector_size(sqlite3_file* file) {
  sqlite3_file* base = wal_of(file)->base;
  return base->pMethods->xSectorSize(base);
}

int wal_device_characteristics(sqlite3_file* file) {
  sqlite3_file* base = wal_of(file)->base;
  return base->pMethods->xDeviceCharacteristics(base);
}

// Version 1: SQLite uses shared memory and memory mapping on the database file, never on its WAL.
const sqlite3_io_methods kWalMethods = {
    1,
    wal_close,
    wal_read,
    wal_write,
    wal_truncate,
    wal_sync,
    wal_file_size,
    wal_lock,
    wal_unlock,
    wal_check_reserved_lock,
    wal_file_control,
    wal_sector_size,
    wal_device_characteristics,
    nullptr,
    nullptr,
    nullptr,
    nullptr,
    nullptr,
    nullptr,
};

int open_file(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* file, int flags, int* out_flags) {
  if ((flags & SQLITE_OPEN_WAL) == 0) {
    // Anything but a WAL is the base VFS's own file object, in the same block.
    return base_vfs->xOpen(base_vfs, name, file, flags, out_flags);
  }
  auto* wal = wal_of(file);
  wal->base = reinterpret_cast<sqlite3_file*>(wal + 1);
  wal->file.pMethods = nullptr;  // until the base file is open: SQLite then skips xClose
  const int rc = base_vfs->xOpen(base_vfs, name, wal->base, flags, out_flags);
  if (rc != SQLITE_OK) {
    return rc;
  }
  wal->pending = new (std::nothrow) std::vector<unsigned char>();
  if (wal->pending == nullptr) {
    wal->base->pMethods->xClose(wal->base);
    return SQLITE_NOMEM;
  }
  wal->pending_offset = 0;
  wal->next_append = kUnknownOffset;
  wal->after_commit_header = false;
  wal->file.pMethods = &kWalMethods;
  return SQLITE_OK;
}

}  // namespace

const char* wal_write_buffer_vfs() {
  static sqlite3_vfs vfs;
  static std::once_flag once;
  std::call_once(once, [] {
    base_vfs = sqlite3_vfs_find(nullptr);
    // Everything but opening is the base VFS's: its other methods read only the fields copied.
    vfs = *base_vfs;
    vfs.pNext = nullptr;
    vfs.zName = "tenantd-wal-write-buffer";
    vfs.szOsFile = static_cast<int>(sizeof(BufferedWal)) + base_vfs->szOsFile;
    vfs.xOpen = open_file;
    sqlite3_vfs_register(&vfs, 0);
  });
  return vfs.zName;
}

}  // namespace tenantd::store::sqlite
