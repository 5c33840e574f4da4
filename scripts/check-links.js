#!/usr/bin/env node
'use strict';
// check-links.js [ROOT] — every relative link in ROOT's README.md and docs/**/*.md names a file
// that exists, and every #anchor a heading (as GitHub makes its id) or an <a id> of the file it
// points into. Links in code are not links. Web links are only checked to be well-formed URLs:
// nothing here goes online. Prints each broken link and exits 1 if there is any.
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(process.argv[2] || path.join(__dirname, '..'));

function markdownFiles() {
  const docs = path.join(root, 'docs');
  const found = fs.existsSync(docs) ? fs.readdirSync(docs, { recursive: true }).map((f) => path.join(docs, f)) : [];
  return [path.join(root, 'README.md'), ...found.filter((f) => f.endsWith('.md'))];
}

// The text outside fenced code blocks and inline code, line by line (numbers kept).
function proseLines(text) {
  let fenced = false;
  return text.split('\n').map((line) => {
    if (/^\s*(```|~~~)/.test(line)) {
      fenced = !fenced;
      return '';
    }
    return fenced ? '' : line.replace(/`[^`]*`/g, '');
  });
}

// GitHub's heading ids: lower case, punctuation but - and _ dropped, each space a hyphen, and
// -1, -2, ... for a repeated one.
function anchorsOf(file) {
  const anchors = new Set();
  const seen = new Map();
  let fenced = false;
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    if (fenced) continue;
    for (const match of line.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) anchors.add(match[1]);
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    const text = heading[1].replace(/\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/<[^>]+>/g, '');
    const slug = text
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const count = seen.get(slug) || 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

function problem(file, target) {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) {
    try {
      new URL(target);
      return null;
    } catch {
      return 'not a valid URL';
    }
  }
  const [pathPart, anchor] = target.split('#');
  const linked = pathPart === '' ? file : path.resolve(path.dirname(file), decodeURIComponent(pathPart));
  if (!fs.existsSync(linked)) return `${path.relative(root, linked)} does not exist`;
  if (anchor === undefined) return null;
  if (!linked.endsWith('.md')) return `#${anchor}: ${path.relative(root, linked)} is not markdown`;
  return anchorsOf(linked).has(anchor)
    ? null
    : `no heading or <a id> makes #${anchor} in ${path.relative(root, linked)}`;
}

let broken = 0;
let checked = 0;
for (const file of markdownFiles()) {
  proseLines(fs.readFileSync(file, 'utf8')).forEach((line, index) => {
    // [text](target) and ![alt](target), the target up to a space (a title may follow).
    for (const match of line.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
      checked++;
      const why = problem(file, match[1]);
      if (why) {
        broken++;
        console.error(`${path.relative(root, file)}:${index + 1}: ${match[1]}: ${why}`);
      }
    }
  });
}
console.log(`check-links: ${checked} links in ${markdownFiles().length} files, ${broken} broken`);
process.exitCode = broken === 0 ? 0 : 1;
