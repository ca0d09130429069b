#!/usr/bin/env python3
"""Converts docs/openapi.yaml to compact JSON and embeds it in a C++ source file,
so that GET /openapi.json needs no file at run time (Lambda has none)."""
import json
import sys

import yaml


def main() -> int:
    source, target = sys.argv[1], sys.argv[2]
    with open(source, encoding="utf-8") as f:
        document = yaml.safe_load(f)
    text = json.dumps(document, separators=(",", ":"), ensure_ascii=False)
    # Separate literals joined once at run time: compilers limit the length of one string
    # literal (adjacent literals would concatenate into one), clang warns past 64 KiB.
    chunks = [text[i:i + 8000] for i in range(0, len(text), 8000)]
    body = ",\n".join('R"OPENAPI(' + c + ')OPENAPI"' for c in chunks)
    with open(target, "w", encoding="utf-8") as f:
        f.write("// Generated from docs/openapi.yaml by scripts/embed_openapi.py.\n")
        f.write('#include "api/openapi_document.hpp"\n\n#include <string>\n\n')
        f.write("namespace tenantd::api {\n\n")
        f.write("std::string_view openapi_json() {\n")
        f.write("  static constexpr std::string_view kChunks[] = {\n" + body + "};\n")
        f.write("  static const std::string kText = [] {\n    std::string text;\n")
        f.write("    for (const auto chunk : kChunks) {\n      text += chunk;\n    }\n")
        f.write("    return text;\n  }();\n  return kText;\n}\n\n}  // namespace tenantd::api\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
