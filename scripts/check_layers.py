#!/usr/bin/env python3
"""Fails when a file under src/ includes a header from a layer its own layer may not use.

Usage: check_layers.py <layers.txt> <src dir>
       check_layers.py --self-test

<layers.txt> is written by CMake from src/layers.cmake (cmake/TenantdLayers.cmake), one line per
layer: `name|dir,dir|dep,dep|allowed/header.hpp,...`. A file may include headers of its own layer,
of the layers in its deps, and the single headers listed as allowed. The layers are the folders
under src/; a folder belongs to exactly one layer (store/ and store/sqlite/ are different layers).
See docs/decisions/0026-layer-targets.md.
"""

import os
import re
import sys
import tempfile

INCLUDE = re.compile(r'^\s*#\s*include\s*"([^"]+)"')


def read_table(path):
    layers = {}
    with open(path, encoding="utf-8") as table:
        for line in table:
            line = line.strip()
            if not line:
                continue
            name, dirs, deps, allow = line.split("|")
            layers[name] = {
                "dirs": [d for d in dirs.split(",") if d],
                "deps": {d for d in deps.split(",") if d},
                "allow": {a for a in allow.split(",") if a},
            }
    return layers


def violations(layers, src_dir):
    layer_of_dir = {}
    for name, layer in layers.items():
        for directory in layer["dirs"]:
            layer_of_dir[directory] = name
    found = []
    for root, _, files in os.walk(src_dir):
        for file_name in sorted(files):
            if not file_name.endswith((".cpp", ".hpp", ".inc")):
                continue
            path = os.path.join(root, file_name)
            rel = os.path.relpath(path, src_dir).replace(os.sep, "/")
            owner = layer_of_dir.get(os.path.dirname(rel))
            if owner is None:
                found.append(f"src/{rel}: its folder belongs to no layer (add it to src/layers.cmake)")
                continue
            allowed = layers[owner]["deps"] | {owner}
            with open(path, encoding="utf-8") as source:
                for number, line in enumerate(source, 1):
                    match = INCLUDE.match(line)
                    if not match:
                        continue
                    header = match.group(1)
                    target = layer_of_dir.get(os.path.dirname(header))
                    if target is None:
                        if "/" in header:
                            found.append(f"src/{rel}:{number}: {header} is in no layer")
                        continue
                    if target in allowed or header in layers[owner]["allow"]:
                        continue
                    found.append(f"src/{rel}:{number}: layer {owner} may not include {header} "
                                 f"(layer {target}; {owner} may use: "
                                 f"{', '.join(sorted(layers[owner]['deps'])) or 'nothing'})")
    return found


def self_test():
    with tempfile.TemporaryDirectory() as tmp:
        table = os.path.join(tmp, "layers.txt")
        with open(table, "w", encoding="utf-8") as out:
            out.write("core|core||\nstore|store|core|\nstore_sqlite|store/sqlite|core,store|\n"
                      "service|service|core,store|\napi|api|core,service|store/sqlite/db.hpp\n")
        files = {
            "core/a.hpp": "#include <string>\n",
            "store/b.hpp": '#include "core/a.hpp"\n',
            "store/sqlite/db.hpp": '#include "store/b.hpp"\n',
            "service/c.cpp": '#include "store/b.hpp"\n#include "store/sqlite/db.hpp"\n',
            "api/d.cpp": '#include "service/x.hpp"\n#include "store/sqlite/db.hpp"\n',
            "core/e.cpp": '#include "service/x.hpp"\n',
        }
        for rel, text in files.items():
            os.makedirs(os.path.join(tmp, "src", os.path.dirname(rel)), exist_ok=True)
            with open(os.path.join(tmp, "src", rel), "w", encoding="utf-8") as out:
                out.write(text)
        found = violations(read_table(table), os.path.join(tmp, "src"))
        expected = ["src/core/e.cpp:1", "src/service/c.cpp:2"]
        got = sorted(v.split(": ")[0] for v in found)
        if got != expected:
            print(f"self-test failed: expected violations at {expected}, got {found}")
            return 1
    print("check_layers self-test: ok")
    return 0


def main(argv):
    if argv[1:] == ["--self-test"]:
        return self_test()
    if len(argv) != 3:
        print(__doc__)
        return 2
    found = violations(read_table(argv[1]), argv[2])
    for violation in found:
        print(violation)
    if found:
        print(f"{len(found)} include(s) cross a layer boundary: include a header the layer may use, "
              "or change the layer table in src/layers.cmake (docs/decisions/0026-layer-targets.md)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
