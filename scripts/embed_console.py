#!/usr/bin/env python3
"""Embeds the admin console (console/) in a C++ source file, so that `serve` and the Lambda
serve it with no files at run time and building needs no JavaScript toolchain.

Every asset is served under /console/assets/<build>/, where <build> is a digest of all the
assets: a changed file changes every asset URL, so assets can be cached for a year while
index.html (which names the build) is revalidated on every load.
Usage: embed_console.py CONSOLE_DIR OUTPUT_CPP"""
import hashlib
import os
import sys

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".json": "application/json",
    ".txt": "text/plain; charset=utf-8",
}
DELIMITER = "CONSOLEASSET"
CHUNK = 8000  # compilers limit one string literal's length (clang warns past 64 KiB)
BUILD_PLACEHOLDER = "{{BUILD}}"
PRELOAD_PLACEHOLDER = "{{PRELOAD}}"


def content_type(path: str) -> str:
    name = os.path.basename(path)
    if name.startswith("LICENSE"):
        return CONTENT_TYPES[".txt"]
    ext = os.path.splitext(name)[1]
    if ext not in CONTENT_TYPES:
        raise SystemExit(f"embed_console: no content type for {path}")
    return CONTENT_TYPES[ext]


def literal(text: str) -> str:
    if ")" + DELIMITER + '"' in text:
        raise SystemExit("embed_console: an asset contains the raw-string delimiter")
    chunks = [text[i:i + CHUNK] for i in range(0, len(text), CHUNK)] or [""]
    return "{" + ", ".join(f'R"{DELIMITER}({c}){DELIMITER}"' for c in chunks) + "}"


def cpp_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def main() -> int:
    root, target = sys.argv[1], sys.argv[2]
    files = {}
    for folder, _, names in os.walk(root):
        for name in sorted(names):
            full = os.path.join(folder, name)
            rel = os.path.relpath(full, root).replace(os.sep, "/")
            if rel.endswith(".md"):
                continue
            with open(full, encoding="utf-8") as f:
                files[rel] = f.read()
    if "index.html" not in files:
        raise SystemExit("embed_console: console/index.html is missing")
    digest = hashlib.sha256()
    for rel in sorted(files):
        if rel != "index.html":
            digest.update(rel.encode() + b"\0" + files[rel].encode() + b"\0")
    build = digest.hexdigest()[:16]
    # Every module is preloaded, so that the browser fetches them in parallel instead of
    # discovering them one import level at a time.
    preload = "\n".join(f'<link rel="modulepreload" href="assets/{BUILD_PLACEHOLDER}/{rel}">'
                         for rel in sorted(files) if rel.endswith(".js"))
    files["index.html"] = (files["index.html"].replace(PRELOAD_PLACEHOLDER, preload)
                           .replace(BUILD_PLACEHOLDER, build))

    out = ["// Generated from console/ by scripts/embed_console.py: do not edit.",
           '#include "console/console_assets.hpp"', "", "namespace tenantd::console {", "",
           "namespace {", "struct Source {", "  std::string_view path;",
           "  std::string_view content_type;", "  std::string_view etag;",
           "  std::initializer_list<std::string_view> chunks;", "};", "}  // namespace", "",
           "const std::vector<Asset>& assets() {", "  static const std::vector<Asset> kAssets = [] {",
           "    const Source sources[] = {"]
    for rel in sorted(files):
        text = files[rel]
        etag = '"' + hashlib.sha256(text.encode()).hexdigest()[:20] + '"'
        out.append(f"        {{{cpp_string(rel)}, {cpp_string(content_type(rel))}, "
                   f"{cpp_string(etag)},\n         {literal(text)}}},")
    out += ["    };", "    std::vector<Asset> list;", "    for (const auto& s : sources) {",
            "      std::string body;", "      for (const auto c : s.chunks) {",
            "        body += c;", "      }",
            "      list.push_back(Asset{std::string(s.path), std::string(s.content_type),",
            "                           std::string(s.etag), std::move(body)});", "    }",
            "    return list;", "  }();", "  return kAssets;", "}", "",
            f"std::string_view build_id() {{ return {cpp_string(build)}; }}", "",
            "}  // namespace tenantd::console", ""]
    with open(target, "w", encoding="utf-8") as f:
        f.write("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
