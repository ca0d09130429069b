#!/usr/bin/env python3
"""Lists the functions under the given folders (default: src) whose body spans more than N lines,
counted as clang-tidy's readability-function-size counts them: the line of the closing brace minus
the line of the opening one. A brace-matching approximation of the compiler's view (comments,
strings and character literals skipped); lambdas count with the function around them.

Usage: scripts/function_sizes.py [--threshold N] [folder...]   (default 60; prints one per line,
largest first, then how many exceed 60, 80 and 100 lines)
"""

import os
import re
import sys

TOKEN = re.compile(r'//[^\n]*|/\*.*?\*/|R"([^(]*)\(.*?\)\1"|"(?:\\.|[^"\\\n])*"|'
                   r"'(?:\\.|[^'\\\n])*'|[{};]|\n", re.S)
CONTROL = re.compile(r"\b(if|for|while|switch|catch|do|else|try)\b\s*(\(|$)")
SCOPE = re.compile(r"\b(namespace|class|struct|union|enum)\b|=\s*$|\breturn\b|^\s*\[")
NAME = re.compile(r"([~\w:<>]+)\s*\([^()]*(?:\([^()]*\)[^()]*)*\)\s*[^()]*$", re.S)


def functions(path):
    text = open(path, encoding="utf-8").read()
    line, head, stack, found = 1, "", [], []
    for match in TOKEN.finditer(text):
        # Whatever lies between tokens belongs to the current statement head.
        token = match.group(0)
        start = match.start()
        head += text[functions.last:start]
        functions.last = match.end()
        if token == "\n" or token.startswith(("//", "/*", 'R"', '"', "'")):
            line += token.count("\n")
            head += " " if not token.startswith('"') else '""'
            continue
        in_function = any(kind == "function" for kind, _, _ in stack)
        if token == "{":
            stripped = head.strip()
            is_function = (not in_function and ")" in stripped and not SCOPE.search(stripped)
                           and not CONTROL.search(stripped))
            name = NAME.search(stripped)
            stack.append(("function" if is_function else "other", line,
                          name.group(1) if (is_function and name) else stripped[-40:]))
            head = ""
        elif token == "}":
            if stack:
                kind, begin, name = stack.pop()
                if kind == "function":
                    found.append((line - begin, path, begin, name))
            head = ""
        else:  # ;
            head = ""
    return found


def main(argv):
    threshold = 60
    folders = []
    args = argv[1:]
    while args:
        arg = args.pop(0)
        if arg == "--threshold":
            threshold = int(args.pop(0))
        else:
            folders.append(arg)
    results = []
    for folder in folders or ["src"]:
        for root, _, files in os.walk(folder):
            for name in sorted(files):
                if name.endswith((".cpp", ".hpp")):
                    functions.last = 0
                    results += functions(os.path.join(root, name))
    results.sort(reverse=True)
    for lines, path, begin, name in results:
        if lines > threshold:
            print(f"{lines:5d}  {path}:{begin}  {name}")
    for limit in (60, 80, 100):
        print(f"over {limit} lines: {sum(1 for r in results if r[0] > limit)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
