"""Disk-full faults for the chaos soak: the server's data dir is a small tmpfs of its own, which
`fill()` fills to the last byte with a filler file and `free()` empties again.

Mounting needs root (CAP_SYS_ADMIN). Without it the data dir is a plain directory and the disk
faults are reported as not injected: filling the machine's real disk would harm everyone else.
"""
import errno
import os
import subprocess


class DiskFiller:
    def __init__(self, path, size_mb=32):
        self.path = path
        self.size_mb = size_mb
        self.mounted = False
        self.filler = os.path.join(path, "disk-filler.bin")
        self.fills = 0
        self.reason = ""

    def mount(self):
        os.makedirs(self.path, exist_ok=True)
        if os.geteuid() != 0:
            self.reason = "not root: cannot mount a tmpfs"
            return False
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={self.size_mb}m,mode=0700",
                               "tmpfs", self.path], capture_output=True)
        if done.returncode != 0:
            self.reason = "mount -t tmpfs failed: " + done.stderr.decode(errors="replace").strip()
            return False
        self.mounted = True
        return True

    def fill(self):
        """Writes until ENOSPC; returns the bytes written."""
        if not self.mounted:
            return 0
        written = 0
        chunk = b"\0" * (1 << 20)
        with open(self.filler, "ab", buffering=0) as f:
            while True:
                try:
                    n = f.write(chunk)
                except OSError as e:
                    if e.errno != errno.ENOSPC:
                        raise
                    # Fill the last partial block too.
                    for size in (65536, 4096, 512, 1):
                        try:
                            while f.write(b"\0" * size):
                                written += size
                        except OSError:
                            pass
                    break
                written += n
        self.fills += 1
        return written

    def free(self):
        try:
            os.remove(self.filler)
        except FileNotFoundError:
            pass

    def unmount(self):
        if self.mounted:
            self.free()
            subprocess.run(["umount", "-l", self.path], capture_output=True)
            self.mounted = False
