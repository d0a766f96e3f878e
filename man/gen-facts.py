#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The FACTS section of cca-dma-audit-rules(5), generated from the facts schema.

usage: gen-facts.py SCHEMA TEMPLATE.scd.in OUTPUT.scd   replace @FACTS@ in the template
       gen-facts.py --check SCHEMA PAGE                 every fact path is in PAGE (scdoc or roff)

lib/schema/facts-v1.schema.json is the one description of the facts: the tests
validate --facts against it and rule files are checked against it when loaded,
so the page is rendered from it rather than written by hand. One entry per
fact path, e.g. *dt.pools[].base* (hex), with the property's description.
Descriptions may use scdoc's *bold*; underscores are escaped here.
"""
import json
import re
import sys


def deref(schema, node):
    """Follow "$ref": "#/definitions/x", keeping the first description on the way."""
    desc = None
    for _ in range(16):
        if not isinstance(node, dict):
            break
        desc = desc or node.get('description')
        if '$ref' not in node:
            break
        target = schema
        for part in node['$ref'].lstrip('#/').split('/'):
            target = target[part]
        node = target
    if desc and isinstance(node, dict) and node.get('description') != desc:
        node = dict(node, description=desc)
    return node


def branches(schema, node):
    return [deref(schema, b) for k in ('anyOf', 'oneOf', 'allOf') for b in node.get(k, [])]


def type_label(schema, node):
    """hex, number, bool, string, list, object..., "or unknown" when the loader may not decide."""
    node = deref(schema, node)
    if 'title' in node:
        return node['title']
    alts = branches(schema, node)
    if alts:
        return ' or '.join(dict.fromkeys(type_label(schema, b) for b in alts))
    t = node.get('type')
    if t == 'array':
        item = deref(schema, node.get('items', {}))
        return 'list of strings' if item.get('type') == 'string' or 'enum' in item else 'list'
    return {'object': 'object', 'string': 'string', 'boolean': 'bool', 'integer': 'number',
            'null': 'unknown'}.get(t, 'string' if 'enum' in node or 'const' in node else 'value')


def entries(schema, node, path):
    """(path, node) for every fact below node, in schema order."""
    node = deref(schema, node)
    for b in branches(schema, node):
        yield from entries(schema, b, path)
    for name, child in node.get('properties', {}).items():
        yield path + '.' + name, child
        yield from entries(schema, child, path + '.' + name)
    extra = node.get('additionalProperties')
    if isinstance(extra, dict):
        sub = path + '.' + extra.get('x-cda-key', 'NAME')
        yield sub, extra
        yield from entries(schema, extra, sub)
    if isinstance(node.get('items'), dict):
        yield from entries(schema, node['items'], path + '[]')


def fact_paths(schema):
    """Every fact path a rule can name: host, host.granule, dt.pools[].base, ..."""
    for top, node in schema['properties']['facts']['properties'].items():
        yield top, node
        yield from entries(schema, node, top)


# *word* is scdoc bold, as in the rest of the page; any other asterisk
# (io_tlb_*, dma:*) is literal.
BOLD = re.compile(r'(?<![\w:*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])')


def scd_escape(text):
    def plain(t):
        return t.replace('\\', '\\\\').replace('_', '\\_').replace('*', '\\*')
    out, pos = [], 0
    for m in BOLD.finditer(text):
        out += [plain(text[pos:m.start()]), '*', plain(m.group(1)), '*']
        pos = m.end()
    return ''.join(out + [plain(text[pos:])])


def render(schema):
    out = []
    for path, node in fact_paths(schema):
        node = deref(schema, node)
        desc = node.get('description', '').strip()
        if '.' not in path:
            out.append(f'*{scd_escape(path)}* - {scd_escape(desc)}')
            out.append('')
            continue
        out.append(f'*{scd_escape(path)}* ({type_label(schema, node)})')
        if desc:
            out.append('\t' + scd_escape(desc))
        out.append('')
    return '\n'.join(out).rstrip('\n')


def check(schema, page_path):
    """The page (generated scdoc, or the roff scdoc made of it) names every fact path."""
    text = open(page_path).read()
    text = re.sub(r'\\f[BIRP]|\\&', '', text).replace('\\_', '_').replace('\\\\', '\\')
    missing = [p for p, _ in fact_paths(schema) if p not in text]
    for p in missing:
        print(f'{page_path}: fact {p} is not documented')
    return 1 if missing else 0


def main():
    args = sys.argv[1:]
    if args[:1] == ['--check']:
        schema = json.load(open(args[1]))
        sys.exit(check(schema, args[2]))
    schema_path, template, output = args
    schema = json.load(open(schema_path))
    text = open(template).read()
    if text.count('@FACTS@') != 1:
        sys.exit(f'{template}: expected one @FACTS@ marker')
    with open(output, 'w') as f:
        f.write(text.replace('@FACTS@', render(schema)))


if __name__ == '__main__':
    main()
