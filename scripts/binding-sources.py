#!/usr/bin/env python3
"""Prints every source file binding.gyp compiles, one per line: the build and the package check
read this list, so a source added to binding.gyp needs no change anywhere else."""
import ast
import pathlib
import sys

root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else '.')
# A .gyp file is a Python literal (comments, single quotes and trailing commas allowed).
gyp = ast.literal_eval((root / 'binding.gyp').read_text())
for target in gyp.get('targets', []):
    for source in target.get('sources', []):
        print(source)
